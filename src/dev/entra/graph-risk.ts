// Identity Protection's riskyUsers in the Graph subset: the list (`$filter` with eq/ne/gt/ge/lt/le
// on levels, states and `riskLastUpdatedDateTime`, `$select`, `$top` ≤ 500, nextLink paging), one
// user, and the admin actions dismiss / confirmCompromised / confirmSafe. Owns the service's
// 1-request-per-second-per-tenant limit, whose 429s carry no Retry-After (throttling-limits,
// reference §2.7). Must not touch HTTP objects or other Graph resources.
import { z } from 'zod';
import { GraphError } from './errors.ts';
import { applySelect, paginate, type Item } from './graph-odata.ts';
import type { RiskRecord, RiskyUsers } from './risky-users.ts';

export const RISKY_USER_TYPE = '#microsoft.graph.riskyUser';
const READ = ['IdentityRiskyUser.Read.All', 'IdentityRiskyUser.ReadWrite.All'];
const WRITE = ['IdentityRiskyUser.ReadWrite.All'];
/** riskyuser-list: "$top … maximum 500". */
export const RISKY_MAX_PAGE = 500;
/** The beta dismiss page: at most 60 users per call. */
const MAX_ACTION_USERS = 60;

const SELECTABLE = new Set(['id', 'isDeleted', 'isProcessing', 'riskDetail', 'riskLastUpdatedDateTime', 'riskLevel', 'riskState', 'userDisplayName', 'userPrincipalName']);
const actionBody = z.object({ userIds: z.array(z.string().min(1)).min(1).max(MAX_ACTION_USERS) });

/** At most one Identity Protection request per interval per tenant; 0 turns the limit off. */
export class TenantRateLimit {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #next = 0;

  constructor(requestsPerSecond: number, now: () => number = Date.now) {
    this.#intervalMs = requestsPerSecond > 0 ? 1000 / requestsPerSecond : 0;
    this.#now = now;
  }

  /** True when the request may run; a refused request does not use up the next slot. */
  take(): boolean {
    if (this.#intervalMs === 0) return true;
    const t = this.#now();
    if (t < this.#next) return false;
    this.#next = t + this.#intervalMs;
    return true;
  }
}

export function riskyUserItem(r: RiskRecord): Item {
  return {
    '@odata.type': RISKY_USER_TYPE,
    id: r.id,
    isDeleted: r.isDeleted,
    isProcessing: r.isProcessing,
    riskLastUpdatedDateTime: new Date(r.riskLastUpdated).toISOString(),
    riskLevel: r.riskLevel,
    riskState: r.riskState,
    riskDetail: r.riskDetail,
    userDisplayName: r.userDisplayName,
    userPrincipalName: r.userPrincipalName,
  };
}

type Op = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
interface Clause { prop: string; op: Op; value: string | boolean | number }

const CLAUSE = /^\s*([A-Za-z]+)\s+(eq|ne|gt|ge|lt|le)\s+(?:(?:microsoft\.graph\.[A-Za-z]+)?'((?:[^']|'')*)'|(true|false)|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z))\s*(and\s+|$)/;

/** `riskLevel eq 'high' and riskLastUpdatedDateTime ge 2024-01-01T00:00:00Z`; anything else is a 400. */
export function parseRiskFilter(filter: string): Clause[] {
  const bad = () => new GraphError(400, 'Request_UnsupportedQuery', `Invalid filter clause: '${filter}'.`);
  const clauses: Clause[] = [];
  let rest = filter;
  while (rest.trim().length) {
    const m = CLAUSE.exec(rest);
    if (!m?.[1] || !m[2]) throw bad();
    if (!SELECTABLE.has(m[1])) throw new GraphError(400, 'Request_UnsupportedQuery', `Could not find a property named '${m[1]}' on type 'microsoft.graph.riskyUser'.`);
    const value = m[3] !== undefined ? m[3].replaceAll("''", "'") : m[4] !== undefined ? m[4] === 'true' : Date.parse(m[5] ?? '');
    clauses.push({ prop: m[1], op: m[2] as Op, value });
    rest = rest.slice(m[0].length);
    if (m[6] && !rest.trim()) throw bad();
  }
  return clauses;
}

function compare(actual: unknown, c: Clause): boolean {
  const a = c.prop === 'riskLastUpdatedDateTime' && typeof actual === 'string' ? Date.parse(actual) : actual;
  const v = c.value;
  const [x, y] = typeof a === 'string' && typeof v === 'string' ? [a.toLowerCase(), v.toLowerCase()] : [a, v];
  if (typeof x !== typeof y) return c.op === 'ne';
  const l = x as string | number | boolean;
  const r = y as string | number | boolean;
  switch (c.op) {
    case 'eq': return l === r;
    case 'ne': return l !== r;
    case 'gt': return l > r;
    case 'ge': return l >= r;
    case 'lt': return l < r;
    case 'le': return l <= r;
  }
}

export interface RiskRouteDeps {
  risky: RiskyUsers;
  limit: TenantRateLimit;
  graphUrl: string;
  requireRole: (accepted: readonly string[]) => void;
}

export interface RiskRequest { method: string; path: string; query: URLSearchParams; body: unknown }

/** Handles `/identityProtection/riskyUsers…`; undefined when the path is not one of its routes. */
export function riskRoute(deps: RiskRouteDeps, req: RiskRequest, segments: readonly string[]): { status: number; body: unknown } | undefined {
  const [root, coll, id, ...extra] = segments;
  if (root !== 'identityProtection' || coll !== 'riskyUsers' || extra.length) return undefined;
  // Graph checks the token before the service limit; a throttled call is still an authorised one.
  deps.requireRole(req.method === 'GET' ? READ : WRITE);
  if (!deps.limit.take()) throw new GraphError(429, 'TooManyRequests', 'Too many requests. Identity Protection allows about one request per second per tenant.');
  const meta = `${deps.graphUrl}/v1.0/$metadata`;
  if (!id && req.method === 'GET') {
    const filter = req.query.get('$filter');
    const clauses = filter === null ? [] : parseRiskFilter(filter);
    const records = deps.risky.list();
    const matching = clauses.length === 0 ? records : records.filter((r) => {
      const i = riskyUserItem(r);
      return clauses.every((c) => compare(i[c.prop], c));
    });
    // Page first, then shape only that page: 100,000 records are not copied for every 500 served.
    const body = paginate(matching as unknown as Item[], req.query, `${deps.graphUrl}/v1.0${req.path}`, `${meta}#identityProtection/riskyUsers`, RISKY_MAX_PAGE);
    const shaped = (body.value as unknown as RiskRecord[]).map(riskyUserItem);
    return { status: 200, body: { ...body, value: applySelect(shaped, req.query.get('$select'), SELECTABLE, 'microsoft.graph.riskyUser') } };
  }
  if (id && req.method === 'POST' && (id === 'dismiss' || id === 'confirmCompromised' || id === 'confirmSafe')) {
    const body = actionBody.safeParse(req.body);
    if (!body.success) throw new GraphError(400, 'Request_BadRequest', `Invalid request body: 'userIds' must list 1 to ${MAX_ACTION_USERS} user ids.`);
    deps.risky[id](body.data.userIds);
    return { status: 204, body: null };
  }
  if (id && req.method === 'GET') {
    // riskyuser-get supports no OData query options.
    const r = deps.risky.get(id);
    if (!r) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist.`);
    return { status: 200, body: { '@odata.context': `${meta}#identityProtection/riskyUsers/$entity`, ...riskyUserItem(r) } };
  }
  return undefined;
}
