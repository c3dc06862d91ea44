// Builders for contract-suite records. Owns: realistic defaults only. Must not: assert anything.
import type { AccessLogEntry, GroupRow, SessionRecord, UserRow } from '../ports.ts';
import { ENTERPRISE_KEY } from '../sql/scim-attributes.ts';

export const T0 = 1_700_000_000_000;
export const HOUR = 3_600_000;

export function session(id: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id, kind: 'global', parentId: null, appId: null, userKey: 'tid:alice', email: 'alice@contoso.com', idp: 'entra',
    identity: { groups: ['g1'], amr: ['pwd', 'mfa'] }, createdAt: T0, expiresAt: T0 + 8 * HOUR, lastSeenAt: T0,
    ip: '203.0.113.7', userAgent: 'test', revokedAt: null, revokedReason: null, idpSid: null, idpSub: null, ...over,
  };
}

export function appSession(id: string, parent: SessionRecord, appId: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return session(id, { kind: 'app', parentId: parent.id, appId, userKey: parent.userKey, email: parent.email, ...over });
}

export function logEntry(time: number, over: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    time, requestId: `r${time}`, userKey: 'tid:alice', email: 'alice@contoso.com', appId: 'wiki', host: 'wiki.example.com',
    path: '/', method: 'GET', action: 'allow', policy: 'p1', reasons: ['group'], status: 200, durationMs: 1.5, clientIp: '203.0.113.7', ...over,
  };
}

export interface UserSpec {
  externalId?: string | null; active?: boolean; displayName?: string | null; title?: string;
  givenName?: string; familyName?: string; emails?: { value: string; type?: string; primary?: boolean }[];
  employeeNumber?: string; department?: string; manager?: string; createdAt?: number; lastModified?: number;
}

export function user(id: string, userName: string, spec: UserSpec = {}): UserRow {
  const emails = spec.emails ?? [{ value: `${userName.toLowerCase()}@contoso.com`, type: 'work', primary: true }];
  const enterprise = {
    ...(spec.employeeNumber ? { employeeNumber: spec.employeeNumber } : {}),
    ...(spec.department ? { department: spec.department } : {}),
    ...(spec.manager ? { manager: { value: spec.manager } } : {}),
  };
  const raw = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, userName, active: spec.active ?? true,
    ...(spec.externalId ? { externalId: spec.externalId } : {}),
    ...(spec.displayName ? { displayName: spec.displayName } : {}),
    ...(spec.title ? { title: spec.title } : {}),
    name: { ...(spec.givenName ? { givenName: spec.givenName } : {}), ...(spec.familyName ? { familyName: spec.familyName } : {}) },
    emails,
    ...(Object.keys(enterprise).length ? { [ENTERPRISE_KEY]: enterprise } : {}),
  };
  const primary = emails.find((e) => e.primary) ?? emails[0];
  return {
    id, externalId: spec.externalId ?? null, userName, active: spec.active ?? true, displayName: spec.displayName ?? null,
    email: primary?.value ?? null, givenName: spec.givenName ?? null, familyName: spec.familyName ?? null,
    raw: JSON.stringify(raw), version: 1, createdAt: spec.createdAt ?? T0, lastModified: spec.lastModified ?? spec.createdAt ?? T0,
  };
}

export function group(id: string, displayName: string, over: Partial<GroupRow> = {}): GroupRow {
  return {
    id, externalId: null, displayName, raw: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id, displayName }),
    version: 1, createdAt: T0, lastModified: T0, ...over,
  };
}
