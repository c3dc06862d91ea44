// The Gateway HTTP policy language (Cloudflare Gateway's model, reference §2): rules with an action
// and a condition tree of `selector: { operator: value }` leaves joined by `and` / `or`. zod v4,
// unknown keys are errors. Owns structure only: whether a regex compiles, a CIDR parses, a list
// exists or a selector is allowed for an action is the gateway compiler's job, so every such
// problem is reported with its path.
import { z } from 'zod';
import { isolationControlsSchema, type IsolationControls } from '../config/schema/isolation.ts';

const name = z.string().trim().min(1);

export const gatewayActions = ['allow', 'block', 'isolate', 'noIsolate', 'doNotInspect'] as const;
export type GatewayAction = (typeof gatewayActions)[number];

export const gatewaySelectorKinds = [
  'host', 'domain', 'url', 'path', 'query', 'method', 'userEmail', 'userGroupNames', 'riskLevel',
  'sourceIp', 'destinationIp',
] as const;
export type GatewaySelectorKind = (typeof gatewaySelectorKinds)[number];

export const gatewayOperators = ['is', 'isNot', 'in', 'notIn', 'matches', 'notMatches', 'inList', 'notInList'] as const;
export type GatewayOperator = (typeof gatewayOperators)[number];

const one = name;
const many = z.array(name).min(1);
const operatorShape = {
  is: one, isNot: one, in: many, notIn: many, matches: one, notMatches: one, inList: one, notInList: one,
} satisfies Record<GatewayOperator, z.ZodType>;

/** `{ in: [a, b] }`: exactly one operator. */
export const operatorSchema = z.strictObject(
  Object.fromEntries(gatewayOperators.map((o) => [o, operatorShape[o].optional()])) as {
    [O in GatewayOperator]: z.ZodOptional<(typeof operatorShape)[O]>;
  },
).check((ctx) => {
  const keys = Object.keys(ctx.value).filter((k) => ctx.value[k as GatewayOperator] !== undefined);
  if (keys.length !== 1) {
    ctx.issues.push({
      code: 'custom', input: ctx.value,
      message: keys.length === 0
        ? `a condition needs exactly one operator (${gatewayOperators.join(', ')})`
        : `a condition takes exactly one operator, found ${keys.join(', ')}; combine conditions with and/or`,
    });
  }
});
export type OperatorInput = z.infer<typeof operatorSchema>;

/** A leaf (`{ domain: { in: [...] } }`) or a combination (`{ and: [...] }`, `{ or: [...] }`). */
export type ConditionInput =
  | { and: ConditionInput[] }
  | { or: ConditionInput[] }
  | { [K in GatewaySelectorKind]: { [P in K]: OperatorInput } }[GatewaySelectorKind];

export const conditionSchema: z.ZodType<ConditionInput> = z.lazy(() =>
  z.strictObject({
    and: z.array(conditionSchema).min(1).optional(),
    or: z.array(conditionSchema).min(1).optional(),
    ...(Object.fromEntries(gatewaySelectorKinds.map((k) => [k, operatorSchema.optional()])) as {
      [K in GatewaySelectorKind]: z.ZodOptional<typeof operatorSchema>;
    }),
  }).check((ctx) => {
    const keys = Object.keys(ctx.value).filter((k) => (ctx.value as Record<string, unknown>)[k] !== undefined);
    if (keys.length !== 1) {
      ctx.issues.push({
        code: 'custom', input: ctx.value,
        message: keys.length === 0
          ? `a condition needs exactly one of and, or, ${gatewaySelectorKinds.join(', ')}`
          : `a condition takes exactly one key, found ${keys.join(', ')}; wrap several in and: [...]`,
      });
    }
  }).transform((c) => c as ConditionInput),
);

/**
 * Cloudflare's per-policy isolation settings (reference §2.5), handed to the viewer: the same schema
 * (and spelling) as `isolation.controls`, so a control reads the same in both places.
 */
export const isolationSettingsSchema = isolationControlsSchema;
export type IsolationSettings = IsolationControls;

/**
 * Cloudflare's "untrusted certificate action" on Allow rules, for an inspected HTTPS origin whose
 * certificate fails verification: `block` (the block page; the default), `passThrough` (connect
 * without verifying), `error` (an error page instead of the block page).
 */
export const untrustedCertificateActions = ['block', 'passThrough', 'error'] as const;
export type UntrustedCertificateAction = (typeof untrustedCertificateActions)[number];

/** Block: the block page (with this message), or a 307 redirect to a URL of your own. */
export const blockSettingsSchema = z.strictObject({
  message: z.string().min(1).max(500).optional(),
  redirect: z.url({ protocol: /^https?$/ }).optional(),
});
export type BlockSettings = z.infer<typeof blockSettingsSchema>;

export const gatewayRuleSchema = z.strictObject({
  name: name,
  action: z.enum(gatewayActions),
  when: conditionSchema,
  block: blockSettingsSchema.optional(),
  isolation: isolationSettingsSchema.optional(),
  untrustedCertificate: z.enum(untrustedCertificateActions).optional(),
});
export type GatewayRuleInput = z.infer<typeof gatewayRuleSchema>;

/** A named list of hostnames for `inList` on host/domain (ipLists serve the IP selectors). */
export const hostListSchema = z.strictObject({
  name: name,
  hosts: z.array(name).min(1),
});
export type HostListInput = z.infer<typeof hostListSchema>;
