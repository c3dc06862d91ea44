// The one contract suite every Store adapter must pass (pomerium storagetest style). Owns:
// composing the per-repository contracts. Must not: know which adapter it is testing.
import type { Store } from '../ports.ts';
import { describeAdminContract } from './admin.contract.ts';
import { describeConfigObjectsContract } from './config-objects.contract.ts';
import { describeCoreContract } from './core.contract.ts';
import { describeDirectoryContract } from './directory.contract.ts';
import { describeFilterContract } from './filter.contract.ts';
import { describeGatewayContract } from './gateway.contract.ts';
import { describeRiskContract } from './risk.contract.ts';
import { describeSessionContract } from './sessions.contract.ts';
import { describeTransactionContract } from './transaction.contract.ts';
import { describeTunnelContract } from './tunnel.contract.ts';

/** makeStore must return a fresh, empty, migrated store on every call. */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describeSessionContract(name, makeStore);
  describeCoreContract(name, makeStore);
  describeDirectoryContract(name, makeStore);
  describeFilterContract(name, makeStore);
  describeTransactionContract(name, makeStore);
  describeRiskContract(name, makeStore);
  describeAdminContract(name, makeStore);
  describeConfigObjectsContract(name, makeStore);
  describeGatewayContract(name, makeStore);
  describeTunnelContract(name, makeStore);
}
