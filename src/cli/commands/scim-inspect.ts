// `moatless scim groups|users|log`: what Entra has provisioned, and what it sent — the operator's
// view for reconciling with Entra's own provisioning logs and for picking group names in policies.
import type { DirectoryRecord } from '../../store/ports-directory.ts';
import type { Store } from '../../store/ports.ts';
import { flag, UsageError, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

function withStore(args: ParsedArgs, fn: (store: Store, dirs: DirectoryRecord[]) => Promise<number>): Promise<number> {
  return withConfigAndStore(args, async (store) => {
    const wanted = flag(args, 'directory');
    const all = await store.directory.directories.list();
    const dirs = wanted ? all.filter((d) => d.name === wanted) : all;
    if (wanted && dirs.length === 0) throw new UsageError(`no directory named "${wanted}"; known: ${all.map((d) => d.name).join(', ') || '(none)'}`);
    return fn(store, dirs);
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
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
    const rows = [['DIRECTORY', 'GROUP', 'MEMBERS', 'EXTERNAL ID', 'UPDATED']];
    for (const d of dirs) {
      const { items } = await store.directory.groups.list(d.id, { startIndex: 1, count: limitOf(args, 1000), withMembers: false, sortBy: { attr: 'displayname' }, sortOrder: 'ascending' });
      for (const g of items) rows.push([d.name, g.displayName, String(g.memberCount), g.externalId ?? '-', new Date(g.lastModified).toISOString()]);
    }
    process.stdout.write(rows.length > 1 ? table(rows) : 'no groups provisioned yet\n');
    return 0;
  });
}

export function scimUsers(args: ParsedArgs): Promise<number> {
  return withStore(args, async (store, dirs) => {
    const rows = [['DIRECTORY', 'USERNAME', 'ACTIVE', 'DISPLAY NAME', 'EXTERNAL ID']];
    for (const d of dirs) {
      const { items } = await store.directory.users.list(d.id, { startIndex: 1, count: limitOf(args, 1000), sortBy: { attr: 'username' }, sortOrder: 'ascending' });
      for (const u of items) rows.push([d.name, u.userName, u.active ? 'yes' : 'NO', u.displayName ?? '-', u.externalId ?? '-']);
    }
    process.stdout.write(rows.length > 1 ? table(rows) : 'no users provisioned yet\n');
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
    const rows = [['TIME', 'DIRECTORY', 'OPERATION', 'STATUS', 'RESOURCE', 'MS', 'ERROR']];
    for (const e of entries) rows.push([new Date(e.time).toISOString(), names.get(e.directoryId) ?? e.directoryId, e.operation, String(e.status), e.externalId ?? e.resourceId ?? '-', String(e.durationMs), e.error ?? '']);
    process.stdout.write(rows.length > 1 ? table(rows) : 'no SCIM requests logged yet\n');
    return 0;
  });
}
