// Entra's default attribute mappings for a custom (non-gallery) SCIM app, applied to the emulator's
// directory objects (reference/scim.md §1.0 "Default attribute mappings", §1.2, §1.7). Owns the
// flat attribute snapshot the client diffs, the POST bodies, and reading a snapshot back from a
// SCIM resource. Must not do I/O or choose a PATCH dialect (dialect.ts does).
import type { DirectoryGroup, DirectoryUser } from '../directory.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
// Entra sends this non-standard second schema URI on every group POST (MSDOC-SCIM "Create Group").
export const MS_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export type JsonObject = Record<string, unknown>;

/** The mapped target values of one user: what the client sends, and what it compares next cycle. */
export interface UserAttrs {
  userName: string;
  active: boolean;
  displayName: string;
  externalId: string;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
}

export type UserAttrName = keyof UserAttrs;

/** The SCIM attribute path each mapped value is written to. */
export const USER_PATHS: Readonly<Record<UserAttrName, string>> = {
  userName: 'userName',
  active: 'active',
  displayName: 'displayName',
  externalId: 'externalId',
  email: 'emails[type eq "work"].value',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
};

export interface UserChange {
  attr: UserAttrName;
  from: string | boolean | null;
  to: string | boolean | null;
}

/**
 * userName ← userPrincipalName (the matching attribute), active ← accountEnabled, mail → the work
 * email. externalId ← the object id, not mailNickname: the emulator has no mailNickname, and
 * vendors tell admins to remap it to objectId because mailNickname is neither unique nor stable.
 * The emulator has no department/manager/employeeNumber, so the enterprise extension stays empty.
 */
export function mapUser(u: DirectoryUser): UserAttrs {
  return {
    userName: u.userPrincipalName,
    active: u.accountEnabled,
    displayName: u.displayName,
    externalId: u.id,
    email: u.mail,
    givenName: u.givenName,
    familyName: u.surname,
  };
}

/** The POST /Users body Entra sends (MSDOC-SCIM "Create User"); absent source values are omitted. */
export function userCreateBody(a: UserAttrs): JsonObject {
  const body: JsonObject = {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    externalId: a.externalId,
    userName: a.userName,
    active: a.active,
    displayName: a.displayName,
    meta: { resourceType: 'User' },
    roles: [],
  };
  if (a.email !== null) body['emails'] = [{ primary: true, type: 'work', value: a.email }];
  const name: JsonObject = {};
  if (a.givenName !== null) name['givenName'] = a.givenName;
  if (a.familyName !== null) name['familyName'] = a.familyName;
  if (a.givenName !== null || a.familyName !== null) name['formatted'] = [a.givenName, a.familyName].filter((s) => s !== null).join(' ');
  if (Object.keys(name).length) body['name'] = name;
  return body;
}

/** Groups: displayName (matching), externalId ← objectId; created with no members (§1.7). */
export function groupCreateBody(g: DirectoryGroup): JsonObject {
  return { schemas: [GROUP_SCHEMA, MS_GROUP_SCHEMA], externalId: g.id, displayName: g.displayName, meta: { resourceType: 'Group' } };
}

/** The attributes that differ, in mapping order. */
export function diffUser(before: UserAttrs, after: UserAttrs): UserChange[] {
  return (Object.keys(USER_PATHS) as UserAttrName[])
    .filter((attr) => before[attr] !== after[attr])
    .map((attr) => ({ attr, from: before[attr], to: after[attr] }));
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): JsonObject | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined);

/** Reads the mapped values back from a SCIM User (a probe hit), so the client PATCHes only what differs. */
export function userAttrsFromScim(resource: JsonObject): UserAttrs | undefined {
  const userName = str(resource['userName']);
  if (userName === null) return undefined;
  const emails = Array.isArray(resource['emails']) ? resource['emails'].map(obj).filter((e) => e !== undefined) : [];
  const work = emails.find((e) => e['type'] === 'work') ?? emails.find((e) => e['primary'] === true);
  const name = obj(resource['name']);
  const active = resource['active'];
  return {
    userName,
    // RFC 7643 §4.1.1: active has no default; absent reads as enabled, "False" as Entra's string form.
    active: !(active === false || (typeof active === 'string' && active.toLowerCase() === 'false')),
    displayName: str(resource['displayName']) ?? '',
    externalId: str(resource['externalId']) ?? '',
    email: str(work?.['value']),
    givenName: str(name?.['givenName']),
    familyName: str(name?.['familyName']),
  };
}
