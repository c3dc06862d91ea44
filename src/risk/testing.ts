// Test kit for the risk sync: the Entra emulator with risky users, a real SQLite store with a SCIM
// directory of some of those users, and a cycle runner wired like production (real Graph client
// over HTTP). Must not be imported by production code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entraIdpSchema } from '../config/schema/identity.ts';
import { riskSchema, type RiskConfig } from '../config/schema/risk.ts';
import { startEntraEmulator, type EntraEmulator, type FixtureInput } from '../dev/entra/index.ts';
import { ensureDirectory } from '../directory/scim-tokens.ts';
import { createEntraGraphClient } from '../identity/entra/index.ts';
import { SessionService } from '../identity/sessions.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/ports.ts';
import { createRiskGraph, type RiskGraphOptions } from './graph-adapter.ts';
import { runRiskCycle, type CycleOptions, type CycleReport, type RiskSyncDeps } from './sync.ts';

export const TENANT = '11111111-1111-1111-1111-111111111111';
export const APP = '22222222-2222-2222-2222-222222222222';
export const SECRET = 'test-secret-123';
export const ALL_ROLES = ['IdentityRiskyUser.Read.All', 'Group.Create', 'GroupMember.ReadWrite.All', 'GroupMember.Read.All'];
export const uid = (n: number) => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export interface RiskKit {
  emu: EntraEmulator;
  store: Store;
  sessions: SessionService;
  directoryId: string;
  deps(config?: Partial<RiskConfig>, graph?: RiskGraphOptions, fetchImpl?: typeof fetch): RiskSyncDeps;
  run(opts?: CycleOptions, config?: Partial<RiskConfig>): Promise<CycleReport>;
  /** Directory group name → member userNames. */
  directoryGroups(): Promise<Record<string, string[]>>;
  /** Entra group name → member UPNs (every group of that name). */
  entraGroups(): Record<string, string[]>;
  close(): Promise<void>;
}

export interface RiskKitOptions {
  users?: number;
  /** Users (by index) rated at start. */
  risk?: Record<number, 'low' | 'medium' | 'high'>;
  /** Users (by index) provisioned into the Moatless directory. */
  provisioned?: number[];
  roles?: string[];
  riskRequestsPerSecond?: number;
  replicationLagMs?: number;
  groups?: FixtureInput['groups'];
  /** The emulator's clock (risk ratings are stamped with it); default Date.now. */
  now?: () => number;
}

export async function openRiskKit(o: RiskKitOptions = {}): Promise<RiskKit> {
  const users = Array.from({ length: o.users ?? 8 }, (_, i) => ({
    id: uid(i), userPrincipalName: `u${i}@contoso.com`, displayName: `User ${i}`, password: 'pw',
    ...(o.risk?.[i] ? { risk: { level: o.risk[i] } } : {}),
  }));
  const emu = await startEntraEmulator({
    fixture: { tenantId: TENANT, tenantName: 'contoso.onmicrosoft.com', clients: [{ clientId: APP, clientSecret: SECRET, graphRoles: o.roles ?? ALL_ROLES }], users, groups: o.groups ?? [] },
    riskRequestsPerSecond: o.riskRequestsPerSecond ?? 0, replicationLagMs: o.replicationLagMs ?? 0, ...(o.now ? { now: o.now } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'moatless-risk-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
  const { directory } = await ensureDirectory(store, 'default', Date.now());
  for (const i of o.provisioned ?? []) {
    const now = Date.now();
    await store.directory.users.create(directory.id, {
      id: `d-${i}`, externalId: null, userName: `U${i}@contoso.com`, active: true, displayName: `User ${i}`, email: `u${i}@contoso.com`,
      givenName: null, familyName: null, raw: '{}', version: 1, createdAt: now, lastModified: now,
    });
  }
  const idp = entraIdpSchema.parse({ id: 'entra', type: 'entra', tenantId: TENANT, clientId: APP, clientSecret: SECRET, authorityUrl: emu.url, graphUrl: emu.graphUrl });
  const fast = { sleep: async () => {}, random: () => 0 };
  const deps = (config: Partial<RiskConfig> = {}, graph: RiskGraphOptions = { paceMs: 0, ...fast }, fetchImpl?: typeof fetch): RiskSyncDeps => {
    const client = createEntraGraphClient(idp, { kind: 'secret', secret: SECRET }, {
      ...(graph.sleep ? { sleep: graph.sleep, random: () => 0 } : {}), ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
    return {
      store, sessions, graph: createRiskGraph(client, emu.graphUrl, graph),
      config: { ...riskSchema.parse({ identityProvider: 'entra', outputs: ['directory', 'entraGroups'] }) as RiskConfig, ...config },
    };
  };
  return {
    emu, store, sessions, directoryId: directory.id, deps,
    run: (opts = {}, config = {}) => runRiskCycle(deps(config), opts),
    async directoryGroups() {
      const out: Record<string, string[]> = {};
      const { items } = await store.directory.groups.list(directory.id, { startIndex: 1, count: 100, withMembers: true });
      for (const g of items) {
        const names = await store.directory.users.getMany(directory.id, (g.members ?? []).map((m) => m.id));
        out[g.displayName] = names.map((u) => u.userName.toLowerCase()).sort();
      }
      return out;
    },
    entraGroups() {
      const out: Record<string, string[]> = {};
      for (const g of emu.directory.groups()) {
        const members = emu.directory.members(g.id).flatMap((m) => (m.kind === 'user' ? [m.user.userPrincipalName] : []));
        out[g.displayName] = [...(out[g.displayName] ?? []), ...members].sort();
      }
      return out;
    },
    async close() {
      sessions.close();
      await store.close();
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
