// The deprovisioning race: a signed-in user's client keeps requesting a protected app while Entra's
// PATCH active=False is sent; every response is timed. Owns: counting allowed responses to requests
// *sent after* the PATCH's response arrived (goal: 0) and the time from that response to the first
// denied one. Must not: count a request that was in flight before the response as a leak.
import { Pool } from 'undici';
import { expect } from './provision.ts';
import { deactivate, entraUser, type ScimClient } from './scim-client.ts';
import type { ServerChild } from './server-proc.ts';

export interface DeprovisionTrial {
  requests: number;
  allowedAfterResponse: number;
  /** Allowed responses that arrived after the PATCH response but were sent before it (informative). */
  allowedInFlight: number;
  /** ms from the PATCH response to the first denied response; negative: denial came first. */
  firstDeniedMs: number;
  patchMs: number;
}

interface Shot { sentAt: number; doneAt: number; status: number }

const HAMMERS = 4;
const TAIL_MS = 300;

export async function deprovisionTrial(c: ScimClient, server: ServerChild, k: number): Promise<DeprovisionTrial> {
  const r = await c.send('POST', '/Users', entraUser(k, 'leaver'));
  expect(r, 201, 'POST /Users (leaver)');
  const id = (JSON.parse(r.body) as { id: string; userName: string }).id;
  const email = (JSON.parse(r.body) as { userName: string }).userName;
  const secret = await server.session(email, 'wiki');
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: HAMMERS, pipelining: 1 });
  const headers = { host: server.wikiHost, cookie: `moatless_session=${secret}` };
  const get = async (path: string): Promise<Shot> => {
    const sentAt = performance.now();
    try {
      const res = await pool.request({ method: 'GET', path, headers });
      await res.body.dump();
      return { sentAt, doneAt: performance.now(), status: res.statusCode };
    } catch {
      // Revocation closes the user's open connections: a cut request was not let through.
      return { sentAt, doneAt: performance.now(), status: 0 };
    }
  };
  try {
    const pre = await get('/before');
    if (pre.status !== 200) throw new Error(`deprovisioning setup: the signed-in leaver got ${pre.status} before the PATCH`);
    const shots: Shot[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const hammer = async () => {
      while (performance.now() < stopAt) shots.push(await get('/during'));
    };
    const running = Array.from({ length: HAMMERS }, hammer);
    await new Promise((res) => setTimeout(res, 100)); // the hammers are up to speed before Entra acts
    const patchSent = performance.now();
    const off = await c.send('PATCH', `/Users/${id}`, deactivate());
    const responded = performance.now();
    expect(off, 204, 'PATCH active=False');
    stopAt = responded + TAIL_MS;
    await Promise.all(running);
    const denied = shots.filter((s) => s.status !== 200 && s.sentAt >= patchSent).map((s) => s.doneAt);
    return {
      requests: shots.length,
      allowedAfterResponse: shots.filter((s) => s.status === 200 && s.sentAt > responded).length,
      allowedInFlight: shots.filter((s) => s.status === 200 && s.sentAt <= responded && s.doneAt > responded).length,
      firstDeniedMs: denied.length ? Math.min(...denied) - responded : Number.NaN,
      patchMs: responded - patchSent,
    };
  } finally {
    await pool.destroy();
  }
}
