// The SCIM attributes the SQL translator knows, with their storage and RFC 7643 characteristics.
// Owns: mapping lower-cased AST names (RFC 7643 §2.1: names are case-insensitive) to a column or
// to a schema-canonical JSON path in `raw`. Must not: guess — an attribute absent here is
// rejected with StoreUnsupportedFilterError rather than matched against a wrong key.
import type { AttrPath } from '../../directory/scim/filter-ast.ts';
import { StoreUnsupportedFilterError } from '../errors.ts';

export type ScalarType = 'string' | 'boolean' | 'dateTime';

export interface Scalar {
  type: ScalarType;
  /** RFC 7643 §2.2 caseExact; false compares lower-cased. */
  caseExact: boolean;
  /** A real column (`t.<col>`), or undefined for a JSON path in raw. */
  col?: string;
  /** The column already holds a lower-cased key (unique indexes use it). */
  lowered?: boolean;
  notNull?: boolean;
}

export type Resolved =
  /** `whole`: a complex singular named without sub-attribute (`name pr`) — only `pr` applies. */
  | { kind: 'scalar'; spec: Scalar; keys: string[]; whole?: boolean }
  /** A complex multi-valued attribute kept as a JSON array in raw, e.g. emails. */
  | { kind: 'jsonMulti'; keys: string[]; subs: Record<string, Scalar & { canonical: string }>; sub?: string }
  /** A multi-valued attribute backed by the memberships table (Group.members, User.groups). */
  | { kind: 'relation'; rel: 'members' | 'groups'; sub?: string };

export type ResourceType = 'User' | 'Group';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:user';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';
/** The canonical key under which the directory core stores the enterprise extension. */
export const ENTERPRISE_KEY = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const ci: Scalar = { type: 'string', caseExact: false };
const exact: Scalar = { type: 'string', caseExact: true };
const boolJson: Scalar = { type: 'boolean', caseExact: false };
const dateCol = (col: string): Scalar => ({ type: 'dateTime', caseExact: false, col, notNull: true });

type Singular = { canonical: string; spec: Scalar };
type Complex = { canonical: string; subs: Record<string, Singular>; defaultSub?: string };
type Multi = { canonical: string; subs: Record<string, Singular> };

const s = (canonical: string, spec: Scalar = ci): Singular => ({ canonical, spec });
const multiSubs = (...names: string[]): Record<string, Singular> =>
  Object.fromEntries(names.map((n) => [n.toLowerCase(), n === 'primary' ? s(n, boolJson) : s(n)]));

const COMMON_SINGULAR: Record<string, Singular> = {
  id: s('id', { ...exact, col: 'id', notNull: true }),
  externalid: s('externalId', { ...exact, col: 'external_id' }),
};
const META: Complex = {
  canonical: 'meta',
  subs: { created: s('created', dateCol('created_at')), lastmodified: s('lastModified', dateCol('last_modified')) },
};

const USER_SINGULAR: Record<string, Singular> = {
  ...COMMON_SINGULAR,
  username: s('userName', { ...ci, col: 'user_name_key', lowered: true, notNull: true }),
  displayname: s('displayName', { ...ci, col: 'display_name' }),
  active: s('active', { type: 'boolean', caseExact: false, col: 'active', notNull: true }),
  ...Object.fromEntries(
    ['nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'].map((n) => [n.toLowerCase(), s(n)]),
  ),
};
const USER_COMPLEX: Record<string, Complex> = {
  meta: META,
  name: {
    canonical: 'name',
    subs: {
      givenname: s('givenName', { ...ci, col: 'given_name' }),
      familyname: s('familyName', { ...ci, col: 'family_name' }),
      ...multiSubs('formatted', 'middleName', 'honorificPrefix', 'honorificSuffix'),
    },
  },
};
const USER_MULTI: Record<string, Multi> = {
  emails: { canonical: 'emails', subs: multiSubs('value', 'display', 'type', 'primary') },
  phonenumbers: { canonical: 'phoneNumbers', subs: multiSubs('value', 'display', 'type', 'primary') },
  ims: { canonical: 'ims', subs: multiSubs('value', 'display', 'type', 'primary') },
  photos: { canonical: 'photos', subs: multiSubs('value', 'display', 'type', 'primary') },
  roles: { canonical: 'roles', subs: multiSubs('value', 'display', 'type', 'primary') },
  entitlements: { canonical: 'entitlements', subs: multiSubs('value', 'display', 'type', 'primary') },
  addresses: {
    canonical: 'addresses',
    subs: multiSubs('formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type', 'primary'),
  },
};
const ENTERPRISE_SINGULAR: Record<string, Singular> = Object.fromEntries(
  ['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((n) => [n.toLowerCase(), s(n)]),
);
const ENTERPRISE_COMPLEX: Record<string, Complex> = {
  // manager.value references a user id, so it is caseExact like id (RFC 7643 §4.3, §2.3.7).
  manager: { canonical: 'manager', subs: { value: s('value', exact), displayname: s('displayName') }, defaultSub: 'value' },
};
const GROUP_SINGULAR: Record<string, Singular> = {
  ...COMMON_SINGULAR,
  displayname: s('displayName', { ...ci, col: 'display_name_key', lowered: true, notNull: true }),
};

function label(path: AttrPath): string {
  return [path.schema, path.attr].filter(Boolean).join(':') + (path.sub ? `.${path.sub}` : '');
}

/** Resolves an AST path for a resource type, or throws StoreUnsupportedFilterError. */
export function resolveAttr(type: ResourceType, path: AttrPath): Resolved {
  const schema = path.schema;
  const attr = path.attr;
  const unsupported = (why: string) => new StoreUnsupportedFilterError(label(path), why);
  const core = type === 'User' ? CORE_USER : CORE_GROUP;
  const inEnterprise = type === 'User' && (schema === ENTERPRISE || (schema === undefined && (attr in ENTERPRISE_SINGULAR || attr in ENTERPRISE_COMPLEX)));
  if (schema !== undefined && schema !== core && !(type === 'User' && schema === ENTERPRISE)) throw unsupported('unknown schema');

  if (inEnterprise) {
    const single = ENTERPRISE_SINGULAR[attr];
    if (single) {
      if (path.sub) throw unsupported('not a complex attribute');
      return { kind: 'scalar', spec: single.spec, keys: [ENTERPRISE_KEY, single.canonical] };
    }
    const complex = ENTERPRISE_COMPLEX[attr];
    if (complex) return complexSub(complex, path, [ENTERPRISE_KEY], unsupported);
    throw unsupported('unknown enterprise attribute');
  }
  const singular = (type === 'User' ? USER_SINGULAR : GROUP_SINGULAR)[attr];
  if (singular) {
    if (path.sub) throw unsupported('not a complex attribute');
    return { kind: 'scalar', spec: singular.spec, keys: [singular.canonical] };
  }
  const complex = (type === 'User' ? USER_COMPLEX : { meta: META })[attr];
  if (complex) return complexSub(complex, path, [], unsupported);
  if (type === 'User' && attr === 'groups') return relation('groups', path, unsupported);
  if (type === 'Group' && attr === 'members') return relation('members', path, unsupported);
  const multi = type === 'User' ? USER_MULTI[attr] : undefined;
  if (multi) {
    const subs = Object.fromEntries(Object.entries(multi.subs).map(([k, v]) => [k, { ...v.spec, canonical: v.canonical }]));
    if (path.sub !== undefined && !(path.sub in subs)) throw unsupported('unknown sub-attribute');
    return { kind: 'jsonMulti', keys: [multi.canonical], subs, ...(path.sub ? { sub: path.sub } : {}) };
  }
  throw unsupported('unknown attribute');
}

function complexSub(c: Complex, path: AttrPath, prefix: string[], unsupported: (why: string) => Error): Resolved {
  const subName = path.sub ?? c.defaultSub;
  if (subName === undefined) {
    // `name pr` is meaningful; comparing the whole object is not (the caller rejects non-pr ops).
    return { kind: 'scalar', spec: { type: 'string', caseExact: false }, keys: [...prefix, c.canonical], whole: true };
  }
  const sub = c.subs[subName];
  if (!sub) throw unsupported('unknown sub-attribute');
  return { kind: 'scalar', spec: sub.spec, keys: [...prefix, c.canonical, sub.canonical] };
}

function relation(rel: 'members' | 'groups', path: AttrPath, unsupported: (why: string) => Error): Resolved {
  if (path.sub !== undefined && path.sub !== 'value' && path.sub !== 'display') throw unsupported('unknown sub-attribute');
  return { kind: 'relation', rel, ...(path.sub ? { sub: path.sub } : {}) };
}
