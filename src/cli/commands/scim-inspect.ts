// `moatless scim groups|users|log`: what Entra has provisioned, and what it sent — the operator's
// view for reconciling with Entra's own provisioning logs and for picking group names in policies.
import type { DirectoryRecord, GroupRecord, UserRow } from '../../store/ports-directory.ts';
import type { Store } from '../../store/ports.ts';
import { flag, UsageError, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { isoOrNull, printRows } from '../output.ts';

function withStore(args: ParsedArgs, fn: (store: Store, dirs: DirectoryRecord[]) => Promise<number>): Promise<number> {
  return withConfigAndStore(args, async (store) => {
    const wanted = flag(args, 'directory');
    const all = await store.directory.directories.list();
    const dirs = wanted ? all.filter((d) => d.name === wanted) : all;
    if (wanted && dirs.length === 0) throw new UsageError(`no directory named "${wanted}"; known: ${all.map((d) => d.name).join(', ') || '(none)'}`);
    return fn(store, dirs);
  });
}

function limitOf(args: ParsedArgs, fallback: number): number {
  const raw = flag(args, 'limit');
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError('--limit takes a whole number from 1 to 10000');
  return n;
}

/** The synced groups by name: what `group:`/`directoryGroup:` policy rules can refer to. */
export function scimGroups(args: ParsedArgs): Promise<number> {
  return withStore(args, async (store, dirs) => {
    const rows: { directory: string; g: GroupRecord }[] = [];
    for (const d of dirs) {
      const { items } = await store.directory.groups.list(d.id, { startIndex: 1, count: limitOf(args, 1000), withMembers: false, sortBy: { attr: 'displayname' }, sortOrder: 'ascending' });
      for (const g of items) rows.push({ directory: d.name, g });
    }
    printRows(args, [
      { header: 'DIRECTORY', key: 'directory', value: (r) => r.directory },
      { header: 'GROUP', key: 'displayName', value: (r) => r.g.displayName },
      { header: 'MEMBERS', key: 'members', value: (r) => r.g.memberCount },
      { header: 'EXTERNAL ID', key: 'externalId', value: (r) => r.g.externalId },
      { header: 'UPDATED', key: 'lastModified', value: (r) => isoOrNull(r.g.lastModified) },
      { header: 'ID', key: 'id', value: (r) => r.g.id },
    ], rows, 'no groups provisioned yet');
    return 0;
  });
}

export function scimUsers(args: ParsedArgs): Promise<number> {
  return withStore(args, async (store, dirs) => {
    const rows: { directory: string; u: UserRow }[] = [];
    for (const d of dirs) {
      const { items } = await store.directory.users.list(d.id, { startIndex: 1, count: limitOf(args, 1000), sortBy: { attr: 'username' }, sortOrder: 'ascending' });
      for (const u of items) rows.push({ directory: d.name, u });
    }
    printRows(args, [
      { header: 'DIRECTORY', key: 'directory', value: (r) => r.directory },
      { header: 'USERNAME', key: 'userName', value: (r) => r.u.userName },
      { header: 'ACTIVE', key: 'active', value: (r) => r.u.active },
      { header: 'DISPLAY NAME', key: 'displayName', value: (r) => r.u.displayName },
      { header: 'EXTERNAL ID', key: 'externalId', value: (r) => r.u.externalId },
    ], rows, 'no users provisioned yet');
    return 0;
  });
}

/** The provisioning log, newest first, like Entra's provisioning logs. */
export function scimLog(args: ParsedArgs): Promise<number> {
  return withStore(args, async (store, dirs) => {
    const names = new Map(dirs.map((d) => [d.id, d.name]));
    const entries = flag(args, 'directory')
      ? await store.directory.provisioningLog.query({ directoryId: dirs[0]!.id, limit: limitOf(args, 50) })
      : await store.directory.provisioningLog.query({ limit: limitOf(args, 50) });
    printRows(args, [
      { header: 'TIME', key: 'time', value: (e) => isoOrNull(e.time) },
      { header: 'DIRECTORY', key: 'directory', value: (e) => names.get(e.directoryId) ?? e.directoryId },
      { header: 'OPERATION', key: 'operation', value: (e) => e.operation },
      { header: 'STATUS', key: 'status', value: (e) => e.status },
      { header: 'RESOURCE', key: 'resource', value: (e) => e.externalId ?? e.resourceId ?? null },
      { header: 'MS', key: 'durationMs', value: (e) => e.durationMs },
      { header: 'ERROR', key: 'error', value: (e) => e.error ?? '' },
    ], entries, 'no SCIM requests logged yet');
    return 0;
  });
}
