// A SCIM client for scenario tests: a fresh token for a named directory on a running stack, one call
// per request with the SCIM media type, and a suite runner for both backends. A string body is sent
// verbatim, so tests can send JSON that JSON.stringify would never produce.
import { after, before, describe } from 'node:test';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { freshSchema } from './postgres.ts';
import { startStack, type Stack } from './stack.ts';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface ScimReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

export type ScimCall = (
  method: string, path: string, body?: unknown, headers?: Record<string, string>,
) => Promise<ScimReply>;

/** Calls through `s` with an existing token (a second replica on the same database, say). */
export function scimCaller(s: Stack, token: string): ScimCall {
  const b = s.browser();
  return async (method, path, body, headers = {}) => {
    const r = await b.get(`${s.authUrl}/scim/v2${path}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: r.status, headers: r.headers, json: r.body ? JSON.parse(r.body) as Record<string, unknown> : {} };
  };
}

export async function scimClient(s: Stack, directoryName: string): Promise<{ token: string; scim: ScimCall }> {
  const now = Date.now();
  const { token } = await createScimToken(s.moatless.store, { name: `t-${directoryName}`, directoryName, now });
  return { token, scim: scimCaller(s, token) };
}

/** Runs `suite` once per backend, each against its own running server, so both must answer alike. */
export function onEachBackend(title: string, suite: (scim: () => ScimCall, stack: () => Stack) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`${title} on ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
      let s: Stack | undefined;
      let pg: Awaited<ReturnType<typeof freshSchema>> | undefined;
      let call: ScimCall | undefined;
      before(async () => {
        if (kind === 'postgres') pg = await freshSchema();
        const storage = pg ? { storage: { kind: 'postgres' as const, url: pg.url, schema: pg.schema } } : {};
        s = await startStack({ compose: directoryWiring(), ...storage });
        call = (await scimClient(s, 'contoso')).scim;
      });
      after(async () => {
        await s?.close();
        await pg?.drop();
      });
      suite(() => call as ScimCall, () => s as Stack);
    });
  }
}
