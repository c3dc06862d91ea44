// Several edge replicas (issue 15, item 3): two `moatless serve` processes share PostgreSQL; one
// connector holds connections to replica A only. A request reaching replica B is relayed to A (B
// learns that A holds the tunnel from the store and the change feed), a WebSocket too; the relay
// door refuses requests without the replicas' shared-secret proof, refuses a replayed proof, and
// never relays a relayed request on (a replica without a connection answers 502 instead).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { signRelay } from '../../src/tunnel/edge/relay-auth.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { TestBrowser } from '../harness/http-client.ts';
import { freePort } from '../harness/ports.ts';
import { echoThrough } from './ws-echo.ts';
import { freshSchema } from '../harness/postgres.ts';
import { runMoatless, startMoatlessProcess, type Child } from '../harness/processes.ts';

const SECRET = 'relay-secret-for-tests-0123456789abcdef';
let dir: string;
let origin: FakeUpstream;
let pgSchema: Awaited<ReturnType<typeof freshSchema>>;
let store: Store;
const replicas: Child[] = [];
const ports: number[] = [];
let authHost: string;
let token: string;
let cookie: string;
let connector: Child | null = null;

async function until(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const live = async () => (await store.tunnels.connections.listSince(0)).filter((c) => c.tunnel === 'priv');
const via = (i: number, path = '/') => new TestBrowser(new Map([[`priv.localtest.me:${ports[i]}`, ports[i]!]]))
  .get(`http://priv.localtest.me:${ports[i]}${path}`, { headers: { cookie } });

/** A raw relay request to replica i; resolves with the status line's code (101 on success). */
function relayRequest(i: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ports[i], path: '/tunnel/v1/relay', agent: false,
      headers: { host: authHost, connection: 'Upgrade', upgrade: 'moatless-tunnel-relay', ...headers } });
    req.on('upgrade', (_res, socket) => { socket.destroy(); resolve(101); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-relay-'));
  origin = await startFakeUpstream();
  pgSchema = await freshSchema();
  for (let i = 0; i < 2; i++) ports.push(await freePort());
  // One public auth URL for both replicas, as behind a load balancer; each has its own relay URL.
  authHost = `auth.localtest.me:${ports[0]}`;
  const config = (port: number) => ({
    server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://${authHost}`, shutdownGrace: '1s' },
    identityProviders: [{ id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x', authorityUrl: 'http://127.0.0.1:9' }],
    apps: [{ id: 'priv', hosts: ['priv.localtest.me'], upstream: 'tunnel:priv', policies: [{ name: 'all-signed-in', action: 'allow', include: [{ emailDomain: 'contoso.com' }] }] }],
    storage: { kind: 'postgres', url: { env: 'MOATLESS_TEST_DB' }, schema: pgSchema.schema },
    logging: { level: 'warn', accessLog: false },
    tunnel: { relay: { url: `http://127.0.0.1:${port}`, secret: { env: 'MOATLESS_RELAY_SECRET' } } },
  });
  ports.forEach((p, i) => writeFileSync(join(dir, `replica-${i}.yaml`), stringify(config(p))));
  const env = { MOATLESS_TEST_DB: pgSchema.url, MOATLESS_RELAY_SECRET: SECRET };
  for (let i = 0; i < 2; i++) replicas.push(await startMoatlessProcess(['serve', '--config', join(dir, `replica-${i}.yaml`), '--no-watch'], /listening on/, env));
  const created = await runMoatless(['tunnel', 'token', 'create', '--name', 'vm1', '--tunnel', 'priv', '--config', join(dir, 'replica-0.yaml')], env);
  assert.equal(created.code, 0, created.stderr);
  token = created.stdout.trim();
  store = await openStore({ kind: 'postgres', url: pgSchema.url, schema: pgSchema.schema });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 30_000 });
  const identity = { userKey: 't:bob', email: 'bob@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };
  const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  cookie = `moatless_session=${(await sessions.createApp(g.record, 'priv', 3_600_000, identity, null, null)).secret}`;
  sessions.close();
});

after(async () => {
  await connector?.stop();
  await Promise.all(replicas.map((r) => r.stop()));
  await store?.close();
  await origin?.close();
  await pgSchema?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a replica without a connection of the tunnel relays to the replica that has one', async () => {
  // No connector anywhere yet: B answers 502, and has now read (and cached) that nobody holds priv.
  assert.equal((await via(1)).status, 502);
  connector = await startMoatlessProcess(['connector', '--edge', `http://${authHost}`, '--edge-address', `127.0.0.1:${ports[0]}`,
    '--token', token, '--url', origin.url, '--metrics', '127.0.0.1:0', '--log-level', 'warn'], /health and metrics on/);
  await until('2 connections on replica A', async () => (await live()).length === 2);
  // Within the 5 s B trusts its cached peers for: only the change feed's notice can make B see A now.
  const since = Date.now();
  let r = await via(1, '/through-b');
  while (r.status !== 200 && Date.now() - since < 3000) {
    await new Promise((res) => setTimeout(res, 50));
    r = await via(1, '/through-b');
  }
  assert.equal(r.status, 200, r.body);
  const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/through-b');
  assert.ok(seen.headers['moatless-jwt-assertion'], 'the app gets the assertion B signed');
  assert.equal((await via(0, '/through-a')).status, 200);
  const rows = await live();
  assert.equal(new Set(rows.map((c) => c.edge)).size, 1, 'the connector holds connections to replica A only');
  assert.equal(rows[0]!.relayUrl, `http://127.0.0.1:${ports[0]}`);
});

test('many requests and a body through the relay; a WebSocket upgrade too', async () => {
  const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => via(1, `/many/${i}`).then((r) => r.status)));
  assert.deepEqual(statuses, Array(30).fill(200));
  const big = 'y'.repeat(2 * 1024 * 1024);
  const up = await new TestBrowser(new Map([[`priv.localtest.me:${ports[1]}`, ports[1]!]]))
    .get(`http://priv.localtest.me:${ports[1]}/upload`, { method: 'POST', body: big, headers: { cookie } });
  assert.equal((JSON.parse(up.body) as { bodyBytes: number }).bodyBytes, big.length);
  const { hello, echo } = await echoThrough(ports[1]!, 'priv.localtest.me', cookie, 'through the relay');
  assert.deepEqual(hello, { hello: true, assertion: true });
  assert.equal(echo, 'through the relay');
});

test('the relay door wants the shared-secret proof, once, and never relays a relayed request on', async () => {
  const proof = (tunnel: string, from: string, secret = SECRET, at = Date.now()) =>
    ({ 'moatless-relay-tunnel': tunnel, 'moatless-relay-from': from, 'moatless-relay-auth': signRelay(secret, tunnel, from, at) });
  assert.equal(await relayRequest(0, { 'moatless-relay-tunnel': 'priv', 'moatless-relay-from': 'x:1' }), 401, 'no proof');
  assert.equal(await relayRequest(0, proof('priv', 'x:1', 'another-secret-of-the-same-length-0123')), 401, 'wrong secret');
  assert.equal(await relayRequest(0, proof('priv', 'x:1', SECRET, Date.now() - 120_000)), 401, 'an old proof');
  const signed = proof('priv', 'x:1');
  assert.equal(await relayRequest(0, { ...signed, 'moatless-relay-tunnel': 'other' }), 401, 'a proof for another tunnel');
  assert.equal(await relayRequest(0, signed), 101, 'a good proof opens a stream on A');
  assert.equal(await relayRequest(0, signed), 401, 'the same proof again is a replay');
  // B holds no connection of priv: a relayed request there ends with 502, not a hop back to A.
  assert.equal(await relayRequest(1, proof('priv', 'x:1')), 502);
});
