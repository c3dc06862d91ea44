// `moatless sessions list [--user EMAIL] [--app ID] [--limit N] [--json] [--url URL]`: live sessions
// (neither revoked nor expired), newest first — what `sessions revoke` would end, and who is signed
// in now. From the store, or with --url from a running instance's admin API.
import { flag, UsageError, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { isoOrNull, printRows } from '../output.ts';
import { viaApiOrStore } from '../remote.ts';

interface Row { id: string; email: string; kind: string; appId: string | null; idp: string; createdAt: string | null; expiresAt: string | null; ip: string | null }

function print(args: ParsedArgs, items: readonly Row[], more: string | null, email: string | undefined): number {
  printRows(args, [
    { header: 'USER', key: 'email', value: (s) => s.email },
    { header: 'KIND', key: 'kind', value: (s) => s.kind },
    { header: 'APP', key: 'appId', value: (s) => s.appId },
    { header: 'IDP', key: 'idp', value: (s) => s.idp },
    { header: 'CREATED', key: 'createdAt', value: (s) => s.createdAt },
    { header: 'EXPIRES', key: 'expiresAt', value: (s) => s.expiresAt },
    { header: 'IP', key: 'ip', value: (s) => s.ip },
    // A prefix of the stored hash: enough to tell sessions apart, never the cookie value.
    { header: 'ID', key: 'id', value: (s) => s.id.slice(0, 12) },
  ], items, email ? `no live session of ${email}` : 'no live sessions');
  if (!args.flags.has('json') && more) process.stderr.write(`(${items.length} of ${more}; --limit for more)\n`);
  return 0;
}

export async function sessionsList(args: ParsedArgs): Promise<number> {
  const email = flag(args, 'user')?.trim().toLowerCase();
  const appId = flag(args, 'app');
  const raw = flag(args, 'limit');
  const limit = raw === undefined ? 100 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit takes a whole number from 1 to 10000');
  return viaApiOrStore(args, async (api) => {
    const items = await api.list<Row>('/sessions', { email, appId }, limit + 1);
    return print(args, items.slice(0, limit), items.length > limit ? 'more' : null, email);
  }, () => withConfigAndStore(args, async (store) => {
    const { total, items } = await store.sessions.listActive({ ...(email ? { email } : {}), ...(appId ? { appId } : {}), limit, offset: 0 }, Date.now());
    const rows = items.map((s) => ({ ...s, createdAt: isoOrNull(s.createdAt), expiresAt: isoOrNull(s.expiresAt) }));
    return print(args, rows, total > items.length ? String(total) : null, email);
  }));
}
