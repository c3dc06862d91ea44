// `moatless admin token create|list|revoke`: API tokens for automation against the admin API.
// The token is printed once; only its SHA-256 is stored. Creation and revocation are audit-logged.
import { isoOrNull, printRows } from '../output.ts';
import { createAdminToken } from '../../admin/index.ts';
import { parseDuration } from '../../config/duration.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_LIFETIME_MS = 366 * 86_400_000;
const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

function nameFlag(args: ParsedArgs): string {
  const v = flag(args, 'name');
  if (v === undefined || !NAME.test(v)) throw new UsageError('--name NAME is required (letters, digits, . _ -; at most 64)');
  return v;
}

export async function adminTokenCreate(args: ParsedArgs): Promise<number> {
  const name = nameFlag(args);
  const scope = flag(args, 'scope');
  if (scope !== 'read' && scope !== 'write') throw new UsageError('--scope read|write is required');
  const expires = flag(args, 'expires');
  const ms = expires === undefined ? null : parseDuration(expires);
  if (ms === null || ms <= 0 || ms > MAX_LIFETIME_MS) throw new UsageError('--expires DURATION is required (e.g. 30d; at most 366d)');
  return withConfigAndStore(args, async (store) => {
    if ((await store.admin.tokens.list()).some((t) => t.name === name && t.revokedAt === null && t.expiresAt > Date.now())) {
      process.stderr.write(`a live token named "${name}" exists; revoke it first (moatless admin token revoke --name ${name})\n`);
      return 1;
    }
    const { token, record } = await createAdminToken(store, { name, scope, expiresInMs: ms, now: Date.now() });
    await store.admin.audit.append({ time: Date.now(), actor: 'cli', action: 'token.create', target: `token:${name}`, before: null, after: { scope, expiresAt: iso(record.expiresAt) }, requestId: null });
    process.stdout.write(`${token}\n`);
    process.stderr.write(`admin API token "${name}" (${scope}) created, expires ${iso(record.expiresAt)}. Send it as "Authorization: Bearer …". It is shown only once.\n`);
    return 0;
  });
}

export async function adminTokenList(args: ParsedArgs): Promise<number> {
  return withConfigAndStore(args, async (store) => {
    printRows(args, [
      { header: 'NAME', key: 'name', value: (t) => t.name },
      { header: 'SCOPE', key: 'scope', value: (t) => t.scope },
      { header: 'CREATED', key: 'createdAt', value: (t) => isoOrNull(t.createdAt) },
      { header: 'EXPIRES', key: 'expiresAt', value: (t) => isoOrNull(t.expiresAt) },
      { header: 'LAST USED', key: 'lastUsedAt', value: (t) => isoOrNull(t.lastUsedAt) },
      { header: 'REVOKED', key: 'revokedAt', value: (t) => isoOrNull(t.revokedAt) },
    ], await store.admin.tokens.list(), 'no admin API tokens yet: moatless admin token create --name NAME --scope read --expires 30d');
    return 0;
  });
}

export async function adminTokenRevoke(args: ParsedArgs): Promise<number> {
  const name = nameFlag(args);
  return withConfigAndStore(args, async (store) => {
    const live = (await store.admin.tokens.list()).filter((t) => t.name === name && t.revokedAt === null);
    if (live.length === 0) {
      process.stderr.write(`no live admin token named "${name}"\n`);
      return 1;
    }
    for (const t of live) await store.admin.tokens.revoke(t.id, Date.now());
    await store.admin.audit.append({ time: Date.now(), actor: 'cli', action: 'token.revoke', target: `token:${name}`, before: { live: live.length }, after: { live: 0 }, requestId: null });
    process.stdout.write(`revoked ${live.length} admin token(s) named "${name}"; calls with it now get 401\n`);
    return 0;
  });
}
