// Test kit for the directory capability: a real SQLite store in a temp dir, a directory, a
// SessionService and a `call` helper that drives the SCIM service with plain requests. Must not:
// be imported by production code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/ports.ts';
import { SessionService } from '../identity/sessions.ts';
import type { Identity } from '../identity/identity.ts';
import { handleScim } from './scim-service.ts';
import type { GroupChangeHook, ScimResponse, ScimServiceDeps } from './scim-types.ts';

export const BASE = 'https://auth.example.com/scim/v2';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface Kit {
  store: Store;
  sessions: SessionService;
  directoryId: string;
  hookCalls: string[];
  deps: ScimServiceDeps;
  call(method: string, path: string, body?: unknown, opts?: { directoryId?: string; ifMatch?: string }): Promise<ScimResponse & { json: Record<string, unknown> }>;
  newDirectory(name: string): Promise<string>;
  signIn(email: string): Promise<string>;
  close(): Promise<void>;
}

export async function openKit(): Promise<Kit> {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-scim-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 60_000 });
  const hookCalls: string[] = [];
  const groupChange: GroupChangeHook = { async onMembershipsChanged(users) { for (const u of users) hookCalls.push(u.email); } };
  const deps: ScimServiceDeps = { store, sessions, groupChange };
  const newDirectory = async (name: string): Promise<string> => {
    const id = randomUUID();
    await store.directory.directories.create({ id, name, createdAt: Date.now() });
    return id;
  };
  const directoryId = await newDirectory('entra');
  return {
    store, sessions, directoryId, hookCalls, deps, newDirectory,
    async call(method, path, body, opts = {}) {
      const u = new URL(path, 'http://x');
      const r = await handleScim(deps, { directoryId: opts.directoryId ?? directoryId, baseUrl: BASE, now: Date.now() }, {
        method, path: u.pathname, query: u.searchParams, body, headers: opts.ifMatch === undefined ? {} : { ifMatch: opts.ifMatch },
      });
      return { ...r, json: (r.body ?? {}) as Record<string, unknown> };
    },
    async signIn(email) {
      const identity: Identity = { userKey: `tid:${email}`, email, idp: 'entra', groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {} };
      return (await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null })).secret;
    },
    async close() {
      sessions.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: randomUUID(), userName, active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    name: { givenName: 'Given', familyName: 'Family' },
    meta: { resourceType: 'User' },
    ...extra,
  };
}

export function patch(...ops: unknown[]): Record<string, unknown> {
  return { schemas: [PATCH_SCHEMA], Operations: ops };
}
