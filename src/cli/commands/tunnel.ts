// `moatless tunnel token create|list|revoke` and `moatless tunnel status`: connector tokens (printed
// once, stored hashed; a revoke cuts the tunnel on every replica) and the live connectors as the
// edge replicas recorded them in the store. Must not: hold tunnel logic (src/tunnel does).
import { alignedTable, isoOrNull, printRows } from '../output.ts';
import { TUNNEL_NAME, createTunnelToken, revokeTunnelTokens } from '../../tunnel/index.ts';
import { tunnelReport, type TunnelReport } from '../../tunnel/status.ts';
import { viaApiOrStore } from '../remote.ts';
import { revokeTokensByName, type TokenKind } from '../token-revoke.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

const table = (rows: string[][]): void => void process.stdout.write(alignedTable(rows));

function printCreated(token: string, name: string, tunnel: string): number {
  process.stdout.write(`${token}\n`);
  process.stderr.write(`token "${name}" for tunnel "${tunnel}" created; give it to: moatless connector --edge URL --token-file FILE. It is shown only once.\n`);
  return 0;
}

export async function tunnelTokenCreate(args: ParsedArgs): Promise<number> {
  const name = flag(args, 'name');
  const tunnel = flag(args, 'tunnel');
  if (!name || !NAME.test(name)) throw new UsageError('--name NAME is required (letters, digits, . _ -; at most 64)');
  if (!tunnel || !TUNNEL_NAME.test(tunnel)) throw new UsageError('--tunnel NAME is required (lower-case letters, digits, - and _), as in upstream: tunnel:NAME');
  return viaApiOrStore(args, async (api) => {
    const r = await api.post<{ token: string; tunnel: string }>('/tokens/tunnel', { name, tunnel });
    return printCreated(r.token, name, r.tunnel);
  }, () => withConfigAndStore(args, async (store) => {
    if ((await store.tunnels.tokens.list()).some((t) => t.name === name && t.revokedAt === null)) {
      process.stderr.write(`a live token named "${name}" exists; revoke it first (moatless tunnel token revoke --name ${name})\n`);
      return 1;
    }
    const { token } = await createTunnelToken(store, { name, tunnel, now: Date.now() });
    return printCreated(token, name, tunnel);
  }));
}

/** A token row as both the store and the API (`GET /tokens/tunnel`) describe it, times as ISO. */
interface TunnelTokenLine { id: string; name: string; tunnel: string; createdAt: string | null; revokedAt: string | null }

function printTokens(args: ParsedArgs, rows: readonly TunnelTokenLine[]): number {
  printRows(args, [
    { header: 'NAME', key: 'name', value: (t) => t.name },
    { header: 'TUNNEL', key: 'tunnel', value: (t) => t.tunnel },
    { header: 'CREATED', key: 'createdAt', value: (t) => t.createdAt },
    { header: 'REVOKED', key: 'revokedAt', value: (t) => t.revokedAt },
  ], rows, 'no tunnel tokens yet: moatless tunnel token create --name NAME --tunnel TUNNEL');
  return 0;
}

export async function tunnelTokenList(args: ParsedArgs): Promise<number> {
  return viaApiOrStore(args, async (api) => printTokens(args, (await api.get<{ items: TunnelTokenLine[] }>('/tokens/tunnel')).items),
    () => withConfigAndStore(args, async (store) => printTokens(args, (await store.tunnels.tokens.list()).map((t) => ({
      id: t.id, name: t.name, tunnel: t.tunnel, createdAt: isoOrNull(t.createdAt), revokedAt: isoOrNull(t.revokedAt),
    })))));
}

const TUNNEL_TOKENS: TokenKind = {
  noun: 'tunnel token', apiPath: '/tokens/tunnel', effect: 'their connectors are disconnected on every replica',
  // Revoked in one transaction that also tells every replica to cut the tunnel (src/tunnel/tokens.ts).
  revokeInStore: revokeTunnelTokens,
};

export async function tunnelTokenRevoke(args: ParsedArgs): Promise<number> {
  const name = flag(args, 'name');
  if (!name || !NAME.test(name)) throw new UsageError('--name NAME is required');
  return revokeTokensByName(args, name, TUNNEL_TOKENS);
}

function printTunnels(args: ParsedArgs, report: readonly TunnelReport[], json: unknown): number {
  if (args.flags.has('json')) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  if (report.length === 0) process.stdout.write('no tunnels: no app has upstream tunnel:NAME and no connector is connected\n');
  for (const t of report) {
    process.stdout.write(`tunnel ${t.tunnel}: ${t.health}, ${t.connectors.length} connector(s)\n`);
    if (t.connectors.length === 0) continue;
    const rows = [['  CONNECTOR', 'HOST', 'VERSION', 'ADDRESS', 'CONNECTIONS', 'EDGES', 'SINCE']];
    for (const c of t.connectors) {
      rows.push([`  ${c.id.slice(0, 8)}`, c.hostname, c.version, c.addresses.join(','), String(c.connections), c.edges.join(','), iso(c.since)]);
    }
    table(rows);
  }
  return 0;
}

export async function tunnelStatus(args: ParsedArgs): Promise<number> {
  return viaApiOrStore(args, async (api) => {
    type Remote = Omit<TunnelReport, 'connectors'> & { connectors: Array<Omit<TunnelReport['connectors'][number], 'since'> & { since: string }> };
    const { items } = await api.get<{ items: Remote[] }>('/tunnels');
    return printTunnels(args, items.map((t) => ({ ...t, connectors: t.connectors.map((c) => ({ ...c, since: Date.parse(c.since) })) })), items);
  }, () => withConfigAndStore(args, async (store, cfg) => {
    const report = await tunnelReport(store, cfg.apps.map((a) => a.upstream), Date.now());
    return printTunnels(args, report, report);
  }));
}
