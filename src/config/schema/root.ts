// The whole moatless.yaml: one schema composed from each capability's section. Unknown keys are errors.
import { z } from 'zod';
import { adminSchema } from './admin.ts';
import { durationMs } from './common.ts';
import { appSchema, serviceTokenSchema } from './apps.ts';
import { identityProviderSchema } from './identity.ts';
import { ipListSchema, ruleGroupSchema } from '../../policy/language.ts';
import { sessionsSchema } from './sessions.ts';
import { keysSchema, loggingSchema, storageSchema } from './storage.ts';
import { serverSchema } from './server.ts';
import { riskSchema } from './risk.ts';
import { isolationSchema } from './isolation.ts';
import { gatewaySchema } from './gateway.ts';
import { tunnelSchema } from './tunnel.ts';

export const devSchema = z.strictObject({
  /** Start the Entra emulator inside this process (demo only; loudly warned). */
  entra: z.strictObject({
    fixture: z.string().min(1),
    port: z.number().int().min(0).max(65535).default(0),
    host: z.string().default('127.0.0.1'),
    /** Push the emulator's users and groups into this server's SCIM endpoint, like Entra provisioning. */
    provisioning: z.strictObject({
      dialect: z.enum(['legacy', 'compliant']).default('legacy'),
      interval: durationMs.default(40_000),
    }).optional(),
  }).optional(),
  /** Start small sample upstream apps (demo only). */
  sampleApps: z.array(z.strictObject({ name: z.string(), port: z.number().int().min(1).max(65535) })).default([]),
}).optional();

export const configSchema = z.strictObject({
  server: serverSchema,
  identityProviders: z.array(identityProviderSchema).default([]),
  sessions: sessionsSchema,
  apps: z.array(appSchema).default([]),
  ruleGroups: z.array(ruleGroupSchema).default([]),
  ipLists: z.array(ipListSchema).default([]),
  serviceTokens: z.array(serviceTokenSchema).default([]),
  storage: storageSchema,
  logging: loggingSchema,
  keys: keysSchema,
  risk: riskSchema,
  admin: adminSchema,
  isolation: isolationSchema,
  gateway: gatewaySchema,
  tunnel: tunnelSchema,
  dev: devSchema,
});
export type MoatlessConfig = z.infer<typeof configSchema>;
