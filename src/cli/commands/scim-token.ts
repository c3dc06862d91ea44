// `moatless scim token create|list|revoke` and `moatless scim directory set`: SCIM bearer tokens
// for Entra provisioning and per-directory settings. The token is printed once; only its SHA-256
// is stored.
import { isoOrNull, printRows } from '../output.ts';
import type { Store } from '../../store/ports.ts';
import { createScimToken } from '../../directory/scim-tokens.ts';
import { getDirectorySettings, setDirectorySettings } from '../../directory/directory-settings.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { viaApiOrStore } from '../remote.ts';
import { revokeNamed, revokeTokensByName, type TokenKind } from '../token-revoke.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DEFAULT_DIRECTORY = 'default';

function withStore(args: ParsedArgs, fn: (store: Store) => Promise<number>): Promise<number> {
  return withConfigAndStore(args, (store) => fn(store));
}

function nameFlag(args: ParsedArgs, which: string, fallback?: string): string {
  const v = flag(args, which) ?? fallback;
  if (v === undefined || !NAME.test(v)) throw new UsageError(`--${which} NAME is required (letters, digits, . _ -; at most 64)`);
  return v;
}


/** A token row as both the store and the API (`GET /tokens/scim`) describe it, times as ISO. */
interface ScimTokenLine { id: string; name: string; directory: string; createdAt: string | null; lastUsedAt: string | null; revokedAt: string | null }

function printTokens(args: ParsedArgs, rows: readonly ScimTokenLine[]): number {
  printRows(args, [
    { header: 'NAME', key: 'name', value: (t) => t.name },
    { header: 'DIRECTORY', key: 'directory', value: (t) => t.directory },
    { header: 'CREATED', key: 'createdAt', value: (t) => t.createdAt },
    { header: 'LAST USED', key: 'lastUsedAt', value: (t) => t.lastUsedAt },
    { header: 'REVOKED', key: 'revokedAt', value: (t) => t.revokedAt },
  ], rows, 'no SCIM tokens yet: moatless scim token create --name entra');
  return 0;
}

function printCreated(token: string, name: string, directory: string): number {
  process.stdout.write(`${token}\n`);
  process.stderr.write(`token "${name}" for directory "${directory}" created; paste it into Entra as the Secret Token. It is shown only once.\n`);
  return 0;
}

const liveExists = (name: string): number => {
  process.stderr.write(`a live token named "${name}" exists; revoke it first (moatless scim token revoke --name ${name})\n`);
  return 1;
};

export async function scimTokenCreate(args: ParsedArgs): Promise<number> {
  const name = nameFlag(args, 'name');
  const directoryName = nameFlag(args, 'directory', DEFAULT_DIRECTORY);
  return viaApiOrStore(args, async (api) => {
    const r = await api.post<{ token: string; directory: string }>('/tokens/scim', { name, directory: directoryName });
    return printCreated(r.token, name, r.directory);
  }, () => withStore(args, async (store) => {
    if ((await store.directory.tokens.list()).some((t) => t.name === name && t.revokedAt === null)) return liveExists(name);
    const { token, directory } = await createScimToken(store, { name, directoryName, now: Date.now() });
    return printCreated(token, name, directory.name);
  }));
}

export async function scimTokenList(args: ParsedArgs): Promise<number> {
  return viaApiOrStore(args, async (api) => {
    const { items } = await api.get<{ items: (Omit<ScimTokenLine, 'directory'> & { directory: string | null; directoryId: string })[] }>('/tokens/scim');
    return printTokens(args, items.map((t) => ({ ...t, directory: t.directory ?? t.directoryId })));
  }, () => withStore(args, async (store) => {
    const dirs = new Map((await store.directory.directories.list()).map((d) => [d.id, d.name]));
    return printTokens(args, (await store.directory.tokens.list()).map((t) => ({
      id: t.id, name: t.name, directory: dirs.get(t.directoryId) ?? t.directoryId,
      createdAt: isoOrNull(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt), revokedAt: isoOrNull(t.revokedAt),
    })));
  }));
}

const SCIM_TOKENS: TokenKind = {
  noun: 'SCIM token', apiPath: '/tokens/scim', effect: 'SCIM requests with it now get 401',
  revokeInStore: (store, name, now) => revokeNamed(store.directory.tokens, name, now),
};

export async function scimTokenRevoke(args: ParsedArgs): Promise<number> {
  return revokeTokensByName(args, nameFlag(args, 'name'), SCIM_TOKENS);
}

function printSettings(name: string, deprovisionOnNoGroups: boolean): number {
  process.stdout.write(`directory "${name}": deprovisionOnNoGroups=${deprovisionOnNoGroups}\n`);
  return 0;
}

/** `moatless scim directory set --directory NAME --deprovision-on-no-groups on|off [--url URL]` */
export async function scimDirectorySet(args: ParsedArgs): Promise<number> {
  const directoryName = nameFlag(args, 'directory', DEFAULT_DIRECTORY);
  const v = flag(args, 'deprovision-on-no-groups');
  if (v !== 'on' && v !== 'off') throw new UsageError('--deprovision-on-no-groups on|off is required');
  return viaApiOrStore(args, async (api) => {
    const r = await api.patch<{ directory: string; deprovisionOnNoGroups: boolean }>(
      `/directory/directories/${encodeURIComponent(directoryName)}/settings`, { deprovisionOnNoGroups: v === 'on' });
    return printSettings(r.directory, r.deprovisionOnNoGroups);
  }, () => withStore(args, async (store) => {
    const dir = await store.directory.directories.getByName(directoryName);
    if (!dir) {
      process.stderr.write(`no directory named "${directoryName}"\n`);
      return 1;
    }
    const before = await getDirectorySettings(store.kv, dir.id);
    const s = await setDirectorySettings(store.kv, dir.id, { deprovisionOnNoGroups: v === 'on' });
    await store.admin.audit.append({ time: Date.now(), actor: 'cli', action: 'directory.settings', target: `directory:${dir.name}`, before: { ...before }, after: { ...s }, requestId: null });
    return printSettings(dir.name, s.deprovisionOnNoGroups);
  }));
}
