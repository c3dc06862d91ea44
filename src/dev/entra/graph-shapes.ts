// Microsoft Graph v1.0 JSON shapes for directory objects and errors (resources/user.md,
// resources/group.md, concepts/errors.md). Pure mapping; must not decide permissions or paging.
import { randomUUID } from 'node:crypto';
import type { DirectoryGroup, DirectoryObject, DirectoryUser } from './directory.ts';
import type { GraphErrorCode } from './errors.ts';
import type { Item } from './graph-odata.ts';

export const USER_TYPE = '#microsoft.graph.user';
export const GROUP_TYPE = '#microsoft.graph.group';

/** Properties `$select` may name; the first group is Graph's default user projection. */
export const USER_SELECTABLE = new Set([
  'id', 'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName', 'accountEnabled',
]);
export const USER_FILTERABLE = new Set(['id', 'displayName', 'mail', 'userPrincipalName', 'accountEnabled']);
export const GROUP_SELECTABLE = new Set([
  'id', 'displayName', 'description', 'securityEnabled', 'mailEnabled', 'mailNickname', 'groupTypes', 'mail',
]);
export const GROUP_FILTERABLE = new Set(['id', 'displayName', 'mailNickname', 'securityEnabled', 'mailEnabled']);

/** `accountEnabled` is not in Graph's default projection; it appears only when `$select`ed. */
export function userItem(u: DirectoryUser, withSelectOnly = false): Item {
  return {
    '@odata.type': USER_TYPE,
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: null,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    ...(withSelectOnly ? { accountEnabled: u.accountEnabled } : {}),
  };
}

export function groupItem(g: DirectoryGroup): Item {
  return {
    '@odata.type': GROUP_TYPE,
    id: g.id,
    displayName: g.displayName,
    description: g.description,
    groupTypes: [],
    mail: null,
    mailEnabled: g.mailEnabled,
    mailNickname: g.displayName.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) || g.id,
    securityEnabled: g.securityEnabled,
  };
}

export function objectItem(o: DirectoryObject, withSelectOnly = false): Item {
  return o.kind === 'user' ? userItem(o.user, withSelectOnly) : groupItem(o.group);
}

/** The OData error body: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphErrorBody(code: GraphErrorCode | string, message: string, clientRequestId?: string): Item {
  const requestId = randomUUID();
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}
