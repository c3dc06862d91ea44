// Builds every repository over one executor — the root one, or a transaction's. Owns: wiring.
// Must not: hold state; a TxStore is just these repositories bound to a transaction executor.
import type { TxStore } from '../ports.ts';
import { accessLogRepo } from './access-log-repo.ts';
import { adminAuditRepo, adminTokensRepo } from './admin-repos.ts';
import { configObjectsRepo } from './config-objects-repo.ts';
import { directoriesRepo, provisioningLogRepo, scimTokensRepo } from './directory-repos.ts';
import type { SqlExecutor } from './executor.ts';
import { gatewayRepos } from './gateway-repos.ts';
import { groupRepo } from './group-repo.ts';
import { kvRepo } from './kv-repo.ts';
import { riskRepo } from './risk-repo.ts';
import { sessionRepo } from './session-repo.ts';
import { signingKeyRepo } from './signing-key-repo.ts';
import { tunnelConnectionsRepo, tunnelTokensRepo } from './tunnel-repos.ts';
import { userRepo } from './user-repo.ts';

/** Every repository; a transaction adds its TxChanges (transaction.ts). */
export type Repositories = Omit<TxStore, 'changes'>;

export function repositories(ex: SqlExecutor, clock: () => number): Repositories {
  return {
    dialect: ex.dialect.name,
    sessions: sessionRepo(ex),
    keys: signingKeyRepo(ex),
    accessLog: accessLogRepo(ex),
    kv: kvRepo(ex, clock),
    directory: {
      directories: directoriesRepo(ex),
      tokens: scimTokensRepo(ex),
      users: userRepo(ex),
      groups: groupRepo(ex),
      provisioningLog: provisioningLogRepo(ex),
      risk: riskRepo(ex),
    },
    admin: { tokens: adminTokensRepo(ex), audit: adminAuditRepo(ex), configObjects: configObjectsRepo(ex) },
    gateway: gatewayRepos(ex),
    tunnels: { tokens: tunnelTokensRepo(ex), connections: tunnelConnectionsRepo(ex) },
  };
}
