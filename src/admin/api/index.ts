// The admin API's public face: every route, and the mount that serves them at /api/v1.
// Owns: the list of operations. Must not: hold endpoint logic.
import { operationsRoutes } from './operations-routes.ts';
import { z } from 'zod';
import type { AuthHostMount } from '../../access/context.ts';
import type { ApiDeps } from './common.ts';
import { configRoutes } from './config-routes.ts';
import { configWriteRoutes } from './config-write-routes.ts';
import { directoryRoutes } from './directory-routes.ts';
import { identityProviderRoutes } from './identity-provider-routes.ts';
import { logRoutes } from './logs-routes.ts';
import { adminApiMount, type ApiMountOptions } from './mount.ts';
import { overviewRoutes } from './overview-routes.ts';
import { policyTestRoutes } from './policy-test-routes.ts';
import { riskRoutes } from './risk-routes.ts';
import { defineRoute, type Route } from './route.ts';
import { sessionRoutes } from './sessions-routes.ts';
import { activityLogRoutes } from './activity-logs-routes.ts';
import { gatewayRoutes } from './gateway-routes.ts';
import { riskHistoryRoute } from './risk-history-route.ts';
import { tokenRoutes } from './tokens-routes.ts';
import { tokenWriteRoutes } from './token-write-routes.ts';
import { tunnelTokenRoutes } from './tunnel-token-routes.ts';
import { directorySettingsRoutes } from './directory-settings-routes.ts';
import { authContextRoutes } from './auth-context-routes.ts';
import { riskSyncRoute } from './risk-sync-route.ts';

export { API_PREFIX } from './mount.ts';
export type { ApiDeps } from './common.ts';

const meRoute = defineRoute({
  method: 'get', path: '/me', operationId: 'whoAmI', tag: 'auth', access: 'read', summary: 'The caller and what they may do',
  response: z.object({ actor: z.string(), kind: z.enum(['user', 'token']), role: z.enum(['admin', 'auditor']).nullable(), canWrite: z.boolean() }).meta({ id: 'Me' }),
  async handle(_input, { who }) {
    return { actor: who.actor, kind: who.kind, role: who.kind === 'user' ? who.role : null, canWrite: who.canWrite };
  },
});

export function adminRoutes(deps: ApiDeps): Route[] {
  return [meRoute, ...sessionRoutes(deps), ...directoryRoutes(deps), ...configRoutes(deps), ...identityProviderRoutes(deps), ...configWriteRoutes(deps.configWrites), ...policyTestRoutes(deps), ...logRoutes(deps),
    ...overviewRoutes(deps), ...riskRoutes(deps), ...operationsRoutes(deps),
    ...activityLogRoutes(deps), ...gatewayRoutes(deps), ...tokenRoutes(deps), ...tokenWriteRoutes(deps), riskHistoryRoute(deps),
    ...tunnelTokenRoutes(deps), ...directorySettingsRoutes(deps), ...authContextRoutes(deps), riskSyncRoute(deps)];
}

export function adminApi(deps: ApiDeps & Omit<ApiMountOptions, 'routes'>): AuthHostMount {
  return adminApiMount({ ...deps, routes: adminRoutes(deps) });
}
