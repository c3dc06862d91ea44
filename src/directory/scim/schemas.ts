// Attribute definitions for the resources Moatless serves (RFC 7643 §2.2 characteristics, §3.1
// common attributes, §4.1 User, §4.2 Group, §4.3 enterprise extension). Owns the schema data and
// the lookup helpers every other module uses. Must not hold resource data or do I/O.
//
// Deliberately absent: `password` (we never accept credentials over SCIM) and `display` on emails /
// phoneNumbers — Microsoft's validator fails schemas advertising attributes Entra does not know
// (reference/scim.md §1.11).

export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  subAttributes?: AttributeDef[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

export interface ResourceSchema {
  resourceType: 'User' | 'Group';
  endpoint: string;
  core: SchemaDef;
  extensions: SchemaDef[];
  /** RFC 7643 §3.1 `id`, `externalId`, `meta`: on every resource, not advertised in /Schemas. */
  common: AttributeDef[];
  /** Schema URIs accepted in a request's `schemas` besides core and extensions (never echoed). */
  tolerated: string[];
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Entra adds this to every group it creates (reference/scim.md §1.7); accept it, do not echo it. */
export const MS_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

type AttrOptions = Partial<Omit<AttributeDef, 'name' | 'type'>>;

function attr(name: string, type: AttrType, opts: AttrOptions = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description: opts.description ?? name,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...opts,
  };
}

const str = (name: string, opts: AttrOptions = {}): AttributeDef => attr(name, 'string', opts);
const complex = (name: string, subAttributes: AttributeDef[], opts: AttrOptions = {}): AttributeDef =>
  attr(name, 'complex', { ...opts, subAttributes });

/** `value`/`type`/`primary` elements shared by emails, phoneNumbers, ims, photos, x509Certificates. */
function plural(name: string, types: string[], valueType: AttrType = 'string'): AttributeDef {
  return complex(
    name,
    [
      attr('value', valueType, { description: `${name} value` }),
      str('type', { canonicalValues: types }),
      attr('primary', 'boolean'),
    ],
    { multiValued: true },
  );
}

const meta = complex(
  'meta',
  [
    str('resourceType', { caseExact: true, mutability: 'readOnly' }),
    attr('created', 'dateTime', { mutability: 'readOnly' }),
    attr('lastModified', 'dateTime', { mutability: 'readOnly' }),
    attr('location', 'reference', { mutability: 'readOnly', referenceTypes: ['uri'] }),
    str('version', { caseExact: true, mutability: 'readOnly' }),
  ],
  { mutability: 'readOnly' },
);

const COMMON: AttributeDef[] = [
  str('id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', { caseExact: true }),
  meta,
];

const userCore: SchemaDef = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', { required: true, uniqueness: 'server' }),
    complex('name', [
      str('formatted'), str('familyName'), str('givenName'), str('middleName'),
      str('honorificPrefix'), str('honorificSuffix'),
    ]),
    str('displayName'),
    str('nickName'),
    attr('profileUrl', 'reference', { referenceTypes: ['external'] }),
    str('title'),
    str('userType'),
    str('preferredLanguage'),
    str('locale'),
    str('timezone'),
    attr('active', 'boolean'),
    plural('emails', ['work', 'home', 'other']),
    plural('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    plural('ims', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    plural('photos', ['photo', 'thumbnail'], 'reference'),
    complex(
      'addresses',
      [
        str('formatted'), str('streetAddress'), str('locality'), str('region'), str('postalCode'),
        str('country'), str('type', { canonicalValues: ['work', 'home', 'other'] }), attr('primary', 'boolean'),
      ],
      { multiValued: true },
    ),
    // Membership changes go through /Groups (RFC 7643 §4.1.2), so `groups` is readOnly here.
    complex(
      'groups',
      [
        str('value', { mutability: 'readOnly' }),
        attr('$ref', 'reference', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
      { multiValued: true, mutability: 'readOnly' },
    ),
    plural('entitlements', []),
    complex('roles', [str('value'), str('display'), str('type'), attr('primary', 'boolean')], { multiValued: true }),
    plural('x509Certificates', [], 'binary'),
  ],
};

const enterpriseUser: SchemaDef = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber'),
    str('costCenter'),
    str('organization'),
    str('division'),
    str('department'),
    complex('manager', [
      str('value', { caseExact: true }),
      attr('$ref', 'reference', { referenceTypes: ['User'] }),
      str('displayName', { mutability: 'readOnly' }),
    ]),
  ],
};

const groupCore: SchemaDef = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    str('displayName', { required: true }),
    complex(
      'members',
      [
        str('value', { caseExact: true, mutability: 'immutable' }),
        attr('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
      ],
      { multiValued: true },
    ),
  ],
};

export const USER: ResourceSchema = {
  resourceType: 'User',
  endpoint: '/Users',
  core: userCore,
  extensions: [enterpriseUser],
  common: COMMON,
  tolerated: [],
};

export const GROUP: ResourceSchema = {
  resourceType: 'Group',
  endpoint: '/Groups',
  core: groupCore,
  extensions: [],
  common: COMMON,
  tolerated: [MS_GROUP_SCHEMA],
};

export const RESOURCE_SCHEMAS: readonly ResourceSchema[] = [USER, GROUP];

/** Case-insensitive lookup of a definition by name (RFC 7643 §2.1: attribute names are case-insensitive). */
export function findAttr(defs: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (defs === undefined) return undefined;
  const lower = name.toLowerCase();
  return defs.find((d) => d.name.toLowerCase() === lower);
}

/** The extension whose URN equals `urn` (case-insensitively), if the resource has it. */
export function findExtension(schema: ResourceSchema, urn: string): SchemaDef | undefined {
  const lower = urn.toLowerCase();
  return schema.extensions.find((e) => e.id.toLowerCase() === lower);
}

/** Attributes addressable without a URN prefix at the top level of the resource. */
export function topLevelAttrs(schema: ResourceSchema): AttributeDef[] {
  return [...schema.common, ...schema.core.attributes];
}
