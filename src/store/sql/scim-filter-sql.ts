// Translates a SCIM filter AST (RFC 7644 §3.4.2.2) and sortBy (§3.4.2.3) into parameterised SQL
// over the alias `t` (scim_users or scim_groups). Owns: operator semantics, caseExact handling,
// LIKE escaping, null-safety. Must not: concatenate a filter value into SQL — every value is a
// parameter — or drop a condition it cannot express: it throws StoreUnsupportedFilterError.
//
// Every condition produced is two-valued (never SQL NULL), so `not(…)` is exact: a user without
// a title matches `not (title eq "x")`.
import type { AttrPath, CompareOp, Filter, FilterValue } from '../../directory/scim/filter-ast.ts';
import { StoreUnsupportedFilterError } from '../errors.ts';
import { likePattern, type Sql, type SqlDialect, type SqlParam } from './executor.ts';
import { resolveAttr, type ResourceType, type Scalar } from './scim-attributes.ts';

/** A comparable value: a SQL column expression, or a JSON path under a base expression. */
interface Leaf { spec: Scalar; col?: string; base?: string; keys?: string[]; label: string }
interface Scope { leaf(path: AttrPath): Leaf }
interface Ctx { d: SqlDialect; type: ResourceType; n: number }

type Part = string | Sql;
function cat(...parts: Part[]): Sql {
  let sql = '';
  const params: SqlParam[] = [];
  for (const p of parts) {
    if (typeof p === 'string') sql += p;
    else { sql += p.sql; params.push(...p.params); }
  }
  return { sql, params };
}
const param = (v: SqlParam): Sql => ({ sql: '?', params: [v] });

export function filterToSql(d: SqlDialect, type: ResourceType, filter: Filter): Sql {
  return node({ d, type, n: 0 }, filter, null);
}

function label(path: AttrPath): string {
  return path.attr + (path.sub ? `.${path.sub}` : '');
}

function node(ctx: Ctx, f: Filter, scope: Scope | null): Sql {
  switch (f.op) {
    case 'and':
    case 'or':
      return cat('(', node(ctx, f.left, scope), f.op === 'and' ? ' AND ' : ' OR ', node(ctx, f.right, scope), ')');
    case 'not':
      return cat('(NOT ', node(ctx, f.filter, scope), ')');
    case 'valuePath':
      if (scope) throw new StoreUnsupportedFilterError(label(f.path), 'nested value filters are not allowed');
      return exists(ctx, f.path, (inner) => node(ctx, f.filter, inner));
    case 'pr':
      return scope ? present(ctx, scope.leaf(f.path)) : topLevel(ctx, f.path, 'pr', null);
    default:
      return scope ? compare(ctx, scope.leaf(f.path), f.op, f.value) : topLevel(ctx, f.path, f.op, f.value);
  }
}

function topLevel(ctx: Ctx, path: AttrPath, op: CompareOp | 'pr', value: FilterValue): Sql {
  const r = resolveAttr(ctx.type, path);
  if (r.kind === 'scalar') {
    const leaf: Leaf = r.spec.col
      ? { spec: r.spec, col: `t.${r.spec.col}`, label: label(path) }
      : { spec: r.spec, base: 't.raw', keys: r.keys, label: label(path) };
    if (op === 'pr') return present(ctx, leaf);
    if (r.whole) throw new StoreUnsupportedFilterError(label(path), 'a complex attribute needs a sub-attribute');
    return compare(ctx, leaf, op, value);
  }
  // Multi-valued: `emails pr` asks for any element; `emails.value op v` (or `emails op v`, which
  // means its `value`) matches when one element does (RFC 7644 §3.4.2.2).
  if (op === 'pr' && r.sub === undefined) return exists(ctx, path, () => ({ sql: '1 = 1', params: [] }));
  const sub: AttrPath = { attr: r.sub ?? 'value' };
  if (op === 'ne') return cat('(NOT ', exists(ctx, path, (s) => compare(ctx, s.leaf(sub), 'eq', value)), ')');
  return exists(ctx, path, (s) => (op === 'pr' ? present(ctx, s.leaf(sub)) : compare(ctx, s.leaf(sub), op, value)));
}

/** EXISTS over the elements of a multi-valued attribute, with `where` evaluated per element. */
function exists(ctx: Ctx, path: AttrPath, where: (scope: Scope) => Sql): Sql {
  const r = resolveAttr(ctx.type, { ...(path.schema ? { schema: path.schema } : {}), attr: path.attr });
  const a = `e${++ctx.n}`;
  if (r.kind === 'jsonMulti') {
    const scope: Scope = {
      leaf(p) {
        const sub = p.schema === undefined && p.sub === undefined ? r.subs[p.attr] : undefined;
        if (!sub) throw new StoreUnsupportedFilterError(`${path.attr}.${label(p)}`, 'unknown sub-attribute');
        return { spec: sub, base: ctx.d.elementBase(a), keys: [sub.canonical], label: `${path.attr}.${p.attr}` };
      },
    };
    return cat('EXISTS (SELECT 1 FROM ', ctx.d.jsonElements('t.raw', r.keys, a), ' WHERE ', where(scope), ')');
  }
  if (r.kind === 'relation') {
    const m = `${a}m`;
    const o = `${a}o`;
    const members = r.rel === 'members';
    const from = members
      ? `scim_memberships ${m} JOIN scim_users ${o} ON ${o}.directory_id = ${m}.directory_id AND ${o}.id = ${m}.user_id` +
        ` WHERE ${m}.directory_id = t.directory_id AND ${m}.group_id = t.id`
      : `scim_memberships ${m} JOIN scim_groups ${o} ON ${o}.directory_id = ${m}.directory_id AND ${o}.id = ${m}.group_id` +
        ` WHERE ${m}.directory_id = t.directory_id AND ${m}.user_id = t.id`;
    const scope: Scope = {
      leaf(p) {
        const name = `${path.attr}.${p.attr}`;
        if (p.schema !== undefined || p.sub !== undefined) throw new StoreUnsupportedFilterError(name, 'unknown sub-attribute');
        if (p.attr === 'value') return { spec: { type: 'string', caseExact: true, notNull: true }, col: `${m}.${members ? 'user_id' : 'group_id'}`, label: name };
        if (p.attr === 'display') {
          return members
            ? { spec: { type: 'string', caseExact: false, notNull: true }, col: `COALESCE(${o}.display_name, ${o}.user_name)`, label: name }
            : { spec: { type: 'string', caseExact: false, notNull: true, lowered: true }, col: `${o}.display_name_key`, label: name };
        }
        throw new StoreUnsupportedFilterError(name, 'unknown sub-attribute');
      },
    };
    return cat(`EXISTS (SELECT 1 FROM ${from} AND `, where(scope), ')');
  }
  throw new StoreUnsupportedFilterError(label(path), 'not a multi-valued attribute');
}

function textOf(ctx: Ctx, leaf: Leaf): Sql {
  return leaf.col !== undefined ? { sql: leaf.col, params: [] } : ctx.d.jsonText(leaf.base ?? 't.raw', leaf.keys ?? []);
}

function present(ctx: Ctx, leaf: Leaf): Sql {
  if (leaf.col === undefined) return ctx.d.jsonPresent(leaf.base ?? 't.raw', leaf.keys ?? []);
  if (leaf.spec.notNull && leaf.spec.type !== 'string') return { sql: '1 = 1', params: [] };
  return leaf.spec.type === 'string' ? cat(`(${leaf.col} IS NOT NULL AND ${leaf.col} <> '')`) : cat(`(${leaf.col} IS NOT NULL)`);
}

const SQL_OP = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

function compare(ctx: Ctx, leaf: Leaf, op: CompareOp, value: FilterValue): Sql {
  const bad = (why: string) => new StoreUnsupportedFilterError(leaf.label, why);
  if (op === 'ne') return cat('(NOT ', compare(ctx, leaf, 'eq', value), ')');
  const { spec } = leaf;
  if (spec.type === 'boolean') {
    if (typeof value !== 'boolean') throw bad('expects true or false');
    // RFC 7644 §3.4.2.2: gt/ge/lt/le on a boolean is an invalid filter.
    if (op !== 'eq') throw bad(`"${op}" is not defined for booleans`);
    if (leaf.col !== undefined) return cat(`${leaf.col} = `, param(value));
    return ctx.d.jsonBoolIs(leaf.base ?? 't.raw', leaf.keys ?? [], value);
  }
  if (typeof value !== 'string') throw bad('expects a string');
  if (spec.type === 'dateTime') {
    if (op === 'co' || op === 'sw' || op === 'ew') throw bad(`"${op}" is not defined for dateTime`);
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) throw bad('not a dateTime');
    return guard(ctx, leaf, cat(textOf(ctx, leaf), ` ${SQL_OP[op]} `, param(ms)));
  }
  const raw = textOf(ctx, leaf);
  const v = spec.caseExact ? value : value.toLowerCase();
  const e: Sql = spec.caseExact || spec.lowered ? raw : { sql: ctx.d.lower(raw.sql), params: raw.params };
  if (op === 'co' || op === 'sw' || op === 'ew') {
    const cond = spec.caseExact ? ctx.d.matchExact(raw.sql, op, value) : cat(e, ` LIKE `, param(likePattern(op, v)), ` ESCAPE '\\'`);
    return guard(ctx, leaf, spec.caseExact ? cat({ sql: cond.sql, params: [...raw.params, ...cond.params] }) : cond);
  }
  const collate = op === 'eq' ? '' : ctx.d.binaryCollate;
  return guard(ctx, leaf, cat(e, `${collate} ${SQL_OP[op]} `, param(v)));
}

/** `(x IS NOT NULL AND cond)` keeps a comparison two-valued when x may be absent. */
function guard(ctx: Ctx, leaf: Leaf, cond: Sql): Sql {
  if (leaf.spec.notNull && leaf.col !== undefined) return cond;
  return cat('(', textOf(ctx, leaf), ' IS NOT NULL AND ', cond, ')');
}

/** ORDER BY list for sortBy (absent values last, then id for stable paging). */
export function sortToSql(d: SqlDialect, type: ResourceType, sortBy: AttrPath | undefined, order: 'ascending' | 'descending' | undefined): Sql {
  const dir = order === 'descending' ? 'DESC' : 'ASC';
  if (!sortBy) return { sql: `t.created_at ${dir}, t.id ${dir}`, params: [] };
  const r = resolveAttr(type, sortBy);
  let e: Sql;
  if (r.kind === 'scalar' && !r.whole) {
    const raw = r.spec.col ? { sql: `t.${r.spec.col}`, params: [] } : d.jsonText('t.raw', r.keys);
    e = r.spec.caseExact || r.spec.lowered || r.spec.type !== 'string' ? raw : { sql: d.lower(raw.sql), params: raw.params };
  } else if (r.kind === 'jsonMulti' && r.keys[0] === 'emails' && (r.sub ?? 'value') === 'value') {
    // Multi-valued attributes sort by their primary value (RFC 7644 §3.4.2.3): the email column.
    e = { sql: 't.email', params: [] };
  } else {
    throw new StoreUnsupportedFilterError(label(sortBy), 'cannot sort by this attribute');
  }
  const collate = r.kind === 'scalar' && r.spec.type !== 'string' ? '' : d.binaryCollate;
  return cat('(', e, ' IS NULL) ASC, ', e, `${collate} ${dir}, t.id ASC`);
}
