// `moatless admin token create|list|revoke`: API tokens for automation against the admin API.
// The token is printed once; only its SHA-256 is stored. Creation and revocation are audit-logged.
import { isoOrNull, printRows } from '../output.ts';
import { createAdminToken } from '../../admin/index.ts';
import { parseDuration } from '../../config/duration.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { viaApiOrStore } from '../remote.ts';
import { revokeNamed, revokeTokensByName, type TokenKind } from '../token-revoke.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_LIFETIME_MS = 366 * 86_400_000;
const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

function nameFlag(args: ParsedArgs): string {
  const v = flag(args, 'name');
  if (v === undefined || !NAME.test(v)) throw new UsageError('--name NAME is required (letters, digits, . _ -; at most 64)');
  return v;
}

const DAY_MS = 86_400_000;

function printCreated(token: string, name: string, scope: string, expiresAt: string): number {
  process.stdout.write(`${token}\n`);
  process.stderr.write(`admin API token "${name}" (${scope}) created, expires ${expiresAt}. Send it as "Authorization: Bearer …". It is shown only once.\n`);
  return 0;
}

export async function adminTokenCreate(args: ParsedArgs): Promise<number> {
  const name = nameFlag(args);
  const scope = flag(args, 'scope');
  if (scope !== 'read' && scope !== 'write') throw new UsageError('--scope read|write is required');
  const expires = flag(args, 'expires');
  const ms = expires === undefined ? null : parseDuration(expires);
  if (ms === null || ms <= 0 || ms > MAX_LIFETIME_MS) throw new UsageError('--expires DURATION is required (e.g. 30d; at most 366d)');
  return viaApiOrStore(args, async (api) => {
    // The API takes whole days (POST /tokens/admin is audited there, as the caller's token).
    if (ms % DAY_MS !== 0) throw new UsageError('with --url, --expires takes whole days (e.g. 30d)');
    const r = await api.post<{ token: string; expiresAt: string }>('/tokens/admin', { name, scope, expiresInDays: ms / DAY_MS });
    return printCreated(r.token, name, scope, r.expiresAt);
  }, () => withConfigAndStore(args, async (store) => {
    if ((await store.admin.tokens.list()).some((t) => t.name === name && t.revokedAt === null && t.expiresAt > Date.now())) {
      process.stderr.write(`a live token named "${name}" exists; revoke it first (moatless admin token revoke --name ${name})\n`);
      return 1;
    }
    const { token, record } = await createAdminToken(store, { name, scope, expiresInMs: ms, now: Date.now() });
    await store.admin.audit.append({ time: Date.now(), actor: 'cli', action: 'token.create', target: `token:${name}`, before: null, after: { scope, expiresAt: iso(record.expiresAt) }, requestId: null });
    return printCreated(token, name, scope, iso(record.expiresAt));
  }));
}

/** A token row as both the store and the API (`GET /tokens/admin`) describe it, times as ISO. */
interface AdminTokenLine { id: string; name: string; scope: string; createdAt: string | null; expiresAt: string | null; lastUsedAt: string | null; revokedAt: string | null }

function printTokens(args: ParsedArgs, rows: readonly AdminTokenLine[]): number {
  printRows(args, [
    { header: 'NAME', key: 'name', value: (t) => t.name },
    { header: 'SCOPE', key: 'scope', value: (t) => t.scope },
    { header: 'CREATED', key: 'createdAt', value: (t) => t.createdAt },
    { header: 'EXPIRES', key: 'expiresAt', value: (t) => t.expiresAt },
    { header: 'LAST USED', key: 'lastUsedAt', value: (t) => t.lastUsedAt },
    { header: 'REVOKED', key: 'revokedAt', value: (t) => t.revokedAt },
  ], rows, 'no admin API tokens yet: moatless admin token create --name NAME --scope read --expires 30d');
  return 0;
}

export async function adminTokenList(args: ParsedArgs): Promise<number> {
  return viaApiOrStore(args, async (api) => printTokens(args, (await api.get<{ items: AdminTokenLine[] }>('/tokens/admin')).items),
    () => withConfigAndStore(args, async (store) => printTokens(args, (await store.admin.tokens.list()).map((t) => ({
      id: t.id, name: t.name, scope: t.scope, createdAt: isoOrNull(t.createdAt), expiresAt: isoOrNull(t.expiresAt),
      lastUsedAt: isoOrNull(t.lastUsedAt), revokedAt: isoOrNull(t.revokedAt),
    })))));
}

const ADMIN_TOKENS: TokenKind = {
  noun: 'admin token', apiPath: '/tokens/admin', effect: 'calls with it now get 401',
  async revokeInStore(store, name, now) {
    const n = await revokeNamed(store.admin.tokens, name, now);
    await store.admin.audit.append({ time: now, actor: 'cli', action: 'token.revoke', target: `token:${name}`, before: { live: n }, after: { live: 0 }, requestId: null });
    return n;
  },
};

export async function adminTokenRevoke(args: ParsedArgs): Promise<number> {
  return revokeTokensByName(args, nameFlag(args), ADMIN_TOKENS);
}
