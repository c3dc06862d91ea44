// `moatless scim token create|list|revoke` and `moatless scim directory set`: SCIM bearer tokens
// for Entra provisioning and per-directory settings. The token is printed once; only its SHA-256
// is stored.
import { isoOrNull, printRows } from '../output.ts';
import type { Store } from '../../store/ports.ts';
import { createScimToken } from '../../directory/scim-tokens.ts';
import { getDirectorySettings, setDirectorySettings } from '../../directory/directory-settings.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

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


export async function scimTokenCreate(args: ParsedArgs): Promise<number> {
  const name = nameFlag(args, 'name');
  const directoryName = nameFlag(args, 'directory', DEFAULT_DIRECTORY);
  return withStore(args, async (store) => {
    const live = (await store.directory.tokens.list()).filter((t) => t.name === name && t.revokedAt === null);
    if (live.length > 0) {
      process.stderr.write(`a live token named "${name}" exists; revoke it first (moatless scim token revoke --name ${name})\n`);
      return 1;
    }
    const { token, directory } = await createScimToken(store, { name, directoryName, now: Date.now() });
    process.stdout.write(`${token}\n`);
    process.stderr.write(`token "${name}" for directory "${directory.name}" created; paste it into Entra as the Secret Token. It is shown only once.\n`);
    return 0;
  });
}

export async function scimTokenList(args: ParsedArgs): Promise<number> {
  return withStore(args, async (store) => {
    const dirs = new Map((await store.directory.directories.list()).map((d) => [d.id, d.name]));
    printRows(args, [
      { header: 'NAME', key: 'name', value: (t) => t.name },
      { header: 'DIRECTORY', key: 'directory', value: (t) => dirs.get(t.directoryId) ?? t.directoryId },
      { header: 'CREATED', key: 'createdAt', value: (t) => isoOrNull(t.createdAt) },
      { header: 'LAST USED', key: 'lastUsedAt', value: (t) => isoOrNull(t.lastUsedAt) },
      { header: 'REVOKED', key: 'revokedAt', value: (t) => isoOrNull(t.revokedAt) },
    ], await store.directory.tokens.list(), 'no SCIM tokens yet: moatless scim token create --name entra');
    return 0;
  });
}

export async function scimTokenRevoke(args: ParsedArgs): Promise<number> {
  const name = nameFlag(args, 'name');
  return withStore(args, async (store) => {
    const live = (await store.directory.tokens.list()).filter((t) => t.name === name && t.revokedAt === null);
    if (live.length === 0) {
      process.stderr.write(`no live token named "${name}"\n`);
      return 1;
    }
    for (const t of live) await store.directory.tokens.revoke(t.id, Date.now());
    process.stdout.write(`revoked ${live.length} token(s) named "${name}"; SCIM requests with it now get 401\n`);
    return 0;
  });
}

/** `moatless scim directory set --directory NAME --deprovision-on-no-groups on|off` */
export async function scimDirectorySet(args: ParsedArgs): Promise<number> {
  const directoryName = nameFlag(args, 'directory', DEFAULT_DIRECTORY);
  const v = flag(args, 'deprovision-on-no-groups');
  if (v !== 'on' && v !== 'off') throw new UsageError('--deprovision-on-no-groups on|off is required');
  return withStore(args, async (store) => {
    const dir = await store.directory.directories.getByName(directoryName);
    if (!dir) {
      process.stderr.write(`no directory named "${directoryName}"\n`);
      return 1;
    }
    await setDirectorySettings(store.kv, dir.id, { deprovisionOnNoGroups: v === 'on' });
    const s = await getDirectorySettings(store.kv, dir.id);
    process.stdout.write(`directory "${dir.name}": deprovisionOnNoGroups=${s.deprovisionOnNoGroups}\n`);
    return 0;
  });
}
