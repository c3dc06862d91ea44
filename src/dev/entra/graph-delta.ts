// Delta queries for group membership: `GET /groups/delta` (with or without `$select=members`),
// paged with `@odata.nextLink` and closed by `@odata.deltaLink` (Graph "delta query overview";
// reference §2.8). A token is a position in the directory's membership journal plus the time it
// was issued; tokens past the retention, or that never existed, are 410 `syncStateNotFound`.
// Takes and returns plain objects; must not check permissions (the router does) or mutate anything.
import type { Directory, DirectoryObject } from './directory.ts';
import { GraphError } from './errors.ts';
import { applySelect, type Item } from './graph-odata.ts';
import { GROUP_SELECTABLE, GROUP_TYPE, groupItem, USER_TYPE } from './graph-shapes.ts';

export interface DeltaDeps {
  directory: Directory;
  /** `{graphUrl}/v1.0/groups/delta`, the base of every nextLink and deltaLink. */
  selfUrl: string;
  /** Context URL for the response. */
  context: string;
  now: () => number;
  /** How long a deltaLink stays usable; Graph keeps directory sync state for a limited time. */
  retentionMs: number;
  pageSize: number;
}

/** Page position: `o` offset into the result, `f` journal start (null = full sync), `u` journal end. */
interface SkipState { o: number; f: number | null; u: number }
/** Delta position: journal sequence `s`, issued at `t` (epoch ms). */
interface DeltaState { s: number; t: number }

const encode = (v: object) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

function decode(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

// Graph answers a lost or expired sync state with 410 Gone (concepts/errors.md, delta query overview).
const syncStateNotFound = () => new GraphError(410, 'syncStateNotFound', 'The sync state generation is not found. Resync is required: start again without a delta token.');

function parseSkip(raw: string): SkipState {
  const v = decode(raw);
  if (v && isCount(v['o']) && isCount(v['u']) && (v['f'] === null || isCount(v['f']))) return { o: v['o'], f: v['f'], u: v['u'] };
  throw new GraphError(400, 'Request_BadRequest', 'The specified page token value has expired or is invalid.');
}

function parseDelta(raw: string, d: DeltaDeps): DeltaState {
  const v = decode(raw);
  if (!v || !isCount(v['s']) || !isCount(v['t']) || v['s'] > d.directory.journalPosition()) throw syncStateNotFound();
  if (d.now() - v['t'] > d.retentionMs) throw syncStateNotFound();
  return { s: v['s'], t: v['t'] };
}

/** A member link as Graph writes it inside `members@delta`. */
function memberLink(directory: Directory, id: string, removed: boolean): Item {
  const obj: DirectoryObject | undefined = directory.object(id);
  const type = obj?.kind === 'group' ? GROUP_TYPE : USER_TYPE;
  return removed ? { '@odata.type': type, id, '@removed': { reason: 'deleted' } } : { '@odata.type': type, id };
}

/** Groups and their `members@delta` for a full sync (f = null) or the journal range (f, u]. */
function changedGroups(d: DeltaDeps, f: number | null, u: number): { groupId: string; members: Item[] }[] {
  const { directory } = d;
  if (f === null) {
    return directory.groups().map((g) => ({ groupId: g.id, members: directory.members(g.id).map((o) => memberLink(directory, o.kind === 'user' ? o.user.id : o.group.id, false)) }));
  }
  // The last change per (group, member) in the range is its net effect.
  const net = new Map<string, Map<string, 'add' | 'remove'>>();
  for (const c of directory.changesBetween(f, u)) {
    const perGroup = net.get(c.groupId) ?? new Map<string, 'add' | 'remove'>();
    perGroup.set(c.memberId, c.op);
    net.set(c.groupId, perGroup);
  }
  return [...net].map(([groupId, perGroup]) => ({ groupId, members: [...perGroup].map(([id, op]) => memberLink(directory, id, op === 'remove')) }));
}

const UNSUPPORTED = ['$top', '$orderby', '$expand', '$filter', '$search'];

export function groupsDelta(query: URLSearchParams, d: DeltaDeps): Item {
  for (const opt of UNSUPPORTED) {
    if (query.has(opt)) throw new GraphError(400, 'Request_UnsupportedQuery', `The query option '${opt}' is not supported with delta queries on groups.`);
  }
  const select = (query.get('$select') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const props = select.filter((p) => p !== 'members');
  const withMembers = select.length === 0 || select.includes('members');
  const base = [...query].filter(([k]) => k !== '$skiptoken' && k !== '$deltatoken');
  // Keep `$` literal in option names, as Graph's own links do.
  const enc = (s: string) => encodeURIComponent(s).replaceAll('%24', '$');
  const link = (extra: [string, string]) => `${d.selfUrl}?${[...base, extra].map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}`;
  const deltaLink = (s: number) => link(['$deltatoken', encode({ s, t: d.now() } satisfies DeltaState)]);

  const skip = query.get('$skiptoken');
  const token = query.get('$deltatoken');
  let state: SkipState;
  if (skip !== null) state = parseSkip(skip);
  else if (token === 'latest') return { '@odata.context': d.context, '@odata.deltaLink': deltaLink(d.directory.journalPosition()), value: [] };
  else if (token !== null) state = { o: 0, f: parseDelta(token, d).s, u: d.directory.journalPosition() };
  else state = { o: 0, f: null, u: d.directory.journalPosition() };

  const groups = changedGroups(d, state.f, state.u);
  const page = groups.slice(state.o, state.o + d.pageSize).flatMap(({ groupId, members }) => {
    const group = d.directory.group(groupId);
    if (!group) return [];
    // `$select=members` alone projects the group down to its id (and type).
    const [item] = select.length > 0 && props.length === 0
      ? [{ '@odata.type': GROUP_TYPE, id: group.id }]
      : applySelect([groupItem(group)], props.length ? props.join(',') : null, GROUP_SELECTABLE, 'microsoft.graph.group');
    return [{ ...item, ...(withMembers ? { 'members@delta': members } : {}) }];
  });
  const body: Item = { '@odata.context': d.context, value: page };
  // The deltaLink names the journal end this sync read up to, so changes made while paging come next time.
  if (state.o + d.pageSize < groups.length) body['@odata.nextLink'] = link(['$skiptoken', encode({ ...state, o: state.o + d.pageSize } satisfies SkipState)]);
  else body['@odata.deltaLink'] = deltaLink(state.u);
  return body;
}
