// Shared by the operate scenario tests: a signed-in global session on the auth host, and JSON calls.
import type { Stack } from '../harness/stack.ts';
import { TENANT } from '../harness/stack.ts';
import type { Resp, TestBrowser } from '../harness/http-client.ts';

/** A real global session in the real store, as the sign-in callback makes it; returns the cookie secret. */
export async function globalSessionFor(s: Stack, email: string, groupNames: string[]): Promise<string> {
  const identity = { userKey: `${TENANT}:${email}`, email, idp: 'entra', groups: [], groupNames, amr: ['pwd'], acrs: [], claims: {} };
  return (await s.moatless.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: '198.51.100.4', userAgent: 'test' })).secret;
}

export function browserAs(s: Stack, secret: string): TestBrowser {
  const b = s.browser();
  b.jar.set('auth.localtest.me', new Map([['moatless_auth', secret]]));
  return b;
}

export async function call(b: TestBrowser, url: string, opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Resp & { json: Record<string, unknown> }> {
  const r = await b.get(url, {
    method: opts.method ?? 'GET',
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(r.body) as Record<string, unknown>; } catch { /* not JSON */ }
  return { ...r, json };
}
