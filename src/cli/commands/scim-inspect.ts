// `moatless scim groups|users|log`: what Entra has provisioned, and what it sent — the operator's
// view for reconciling with Entra's own provisioning logs and for picking group names in policies.
import type { DirectoryRecord, GroupRecord, UserRow } from '../../store/ports-directory.ts';
import type { Store } from '../../store/ports.ts';
import { flag, UsageError, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { isoOrNull, printRows } from '../output.ts';
import { viaApiOrStore, type AdminApiClient } from '../remote.ts';

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
interface GroupLine { directory: string; displayName: string; members: number; externalId: string | null; lastModified: string | null; id: string }
interface UserLine { directory: string; userName: string; active: boolean; displayName: string | null; externalId: string | null }

/** The directories to list through the API: the one named by --directory, or all. */
async function remoteDirectories(api: AdminApiClient, args: ParsedArgs): Promise<{ id: string; name: string }[]> {
  const wanted = flag(args, 'directory');
  const { items: all } = await api.get<{ items: { id: string; name: string }[] }>('/directory/directories');
  const dirs = wanted ? all.filter((d) => d.name === wanted) : all;
  if (wanted && dirs.length === 0) throw new UsageError(`no directory named "${wanted}"; known: ${all.map((d) => d.name).join(', ') || '(none)'}`);
  return dirs;
}

function printGroups(args: ParsedArgs, rows: readonly GroupLine[]): number {
  printRows(args, [
    { header: 'DIRECTORY', key: 'directory', value: (r) => r.directory },
    { header: 'GROUP', key: 'displayName', value: (r) => r.displayName },
    { header: 'MEMBERS', key: 'members', value: (r) => r.members },
    { header: 'EXTERNAL ID', key: 'externalId', value: (r) => r.externalId },
    { header: 'UPDATED', key: 'lastModified', value: (r) => r.lastModified },
    { header: 'ID', key: 'id', value: (r) => r.id },
  ], rows, 'no groups provisioned yet');
  return 0;
}

function printUsers(args: ParsedArgs, rows: readonly UserLine[]): number {
  printRows(args, [
    { header: 'DIRECTORY', key: 'directory', value: (r) => r.directory },
    { header: 'USERNAME', key: 'userName', value: (r) => r.userName },
    { header: 'ACTIVE', key: 'active', value: (r) => r.active },
    { header: 'DISPLAY NAME', key: 'displayName', value: (r) => r.displayName },
    { header: 'EXTERNAL ID', key: 'externalId', value: (r) => r.externalId },
  ], rows, 'no users provisioned yet');
  return 0;
}

export function scimGroups(args: ParsedArgs): Promise<number> {
  const limit = limitOf(args, 1000);
  return viaApiOrStore(args, async (api) => {
    const rows: GroupLine[] = [];
    for (const d of await remoteDirectories(api, args)) {
      const items = await api.list<Omit<GroupLine, 'directory' | 'members'> & { memberCount: number }>('/directory/groups', { directory: d.id }, limit);
      rows.push(...items.map((g) => ({ directory: d.name, displayName: g.displayName, members: g.memberCount, externalId: g.externalId, lastModified: g.lastModified, id: g.id })));
    }
    return printGroups(args, rows);
  }, () => withStore(args, async (store, dirs) => {
    const rows: GroupLine[] = [];
    for (const d of dirs) {
      const { items } = await store.directory.groups.list(d.id, { startIndex: 1, count: limit, withMembers: false, sortBy: { attr: 'displayname' }, sortOrder: 'ascending' });
      rows.push(...items.map((g: GroupRecord) => ({ directory: d.name, displayName: g.displayName, members: g.memberCount, externalId: g.externalId, lastModified: isoOrNull(g.lastModified), id: g.id })));
    }
    return printGroups(args, rows);
  }));
}

export function scimUsers(args: ParsedArgs): Promise<number> {
  const limit = limitOf(args, 1000);
  return viaApiOrStore(args, async (api) => {
    const rows: UserLine[] = [];
    for (const d of await remoteDirectories(api, args)) {
      const items = await api.list<Omit<UserLine, 'directory'>>('/directory/users', { directory: d.id }, limit);
      rows.push(...items.map((u) => ({ directory: d.name, userName: u.userName, active: u.active, displayName: u.displayName, externalId: u.externalId })));
    }
    return printUsers(args, rows);
  }, () => withStore(args, async (store, dirs) => {
    const rows: UserLine[] = [];
    for (const d of dirs) {
      const { items } = await store.directory.users.list(d.id, { startIndex: 1, count: limit, sortBy: { attr: 'username' }, sortOrder: 'ascending' });
      rows.push(...items.map((u: UserRow) => ({ directory: d.name, userName: u.userName, active: u.active, displayName: u.displayName, externalId: u.externalId })));
    }
    return printUsers(args, rows);
  }));
}

interface LogLine { time: string | null; directory: string; operation: string; status: number; resource: string | null; durationMs: number; error: string | null }

function printLog(args: ParsedArgs, rows: readonly LogLine[]): number {
  printRows(args, [
    { header: 'TIME', key: 'time', value: (e) => e.time },
    { header: 'DIRECTORY', key: 'directory', value: (e) => e.directory },
    { header: 'OPERATION', key: 'operation', value: (e) => e.operation },
    { header: 'STATUS', key: 'status', value: (e) => e.status },
    { header: 'RESOURCE', key: 'resource', value: (e) => e.resource },
    { header: 'MS', key: 'durationMs', value: (e) => e.durationMs },
    { header: 'ERROR', key: 'error', value: (e) => e.error ?? '' },
  ], rows, 'no SCIM requests logged yet');
  return 0;
}

/** The provisioning log, newest first, like Entra's provisioning logs. */
export function scimLog(args: ParsedArgs): Promise<number> {
  const limit = limitOf(args, 50);
  return viaApiOrStore(args, async (api) => {
    const names = new Map((await remoteDirectories(api, args)).map((d) => [d.id, d.name]));
    const wanted = flag(args, 'directory');
    const items = await api.list<{ time: string; directoryId: string; operation: string; status: number; resourceId: string | null; externalId: string | null; durationMs: number; error: string | null }>(
      '/logs/provisioning', { directory: wanted ? [...names.keys()][0] : undefined }, limit);
    return printLog(args, items.map((e) => ({
      time: e.time, directory: names.get(e.directoryId) ?? e.directoryId, operation: e.operation, status: e.status,
      resource: e.externalId ?? e.resourceId ?? null, durationMs: e.durationMs, error: e.error,
    })));
  }, () => withStore(args, async (store, dirs) => {
    const names = new Map(dirs.map((d) => [d.id, d.name]));
    const entries = flag(args, 'directory')
      ? await store.directory.provisioningLog.query({ directoryId: dirs[0]!.id, limit })
      : await store.directory.provisioningLog.query({ limit });
    return printLog(args, entries.map((e) => ({
      time: isoOrNull(e.time), directory: names.get(e.directoryId) ?? e.directoryId, operation: e.operation, status: e.status,
      resource: e.externalId ?? e.resourceId ?? null, durationMs: e.durationMs, error: e.error ?? null,
    })));
  }));
}
