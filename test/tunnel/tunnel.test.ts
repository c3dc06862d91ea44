// Done-when for the tunnel (issue 15): an app reachable only through connectors (its upstream is
// `tunnel:priv`; the origin listens on 127.0.0.1 where only the connectors are told to look), two
// connector processes sharing the load, Access in front, one connector killed under load with no
// failed new request, a local service that is down (a 502 naming the tunnel), and a revoked token
// cutting the tunnel at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../harness/ports.ts';
import { echoThrough } from './ws-echo.ts';
import { runMoatless, startMoatlessProcess, type Child } from '../harness/processes.ts';
import { defaultApps, sessionFor, startStack, type Stack } from '../harness/stack.ts';

const STAFF = [{ name: 'staff', action: 'allow', include: [{ group: ['Staff'] }] }];
let s: Stack;
let origin: FakeUpstream;
let configPath: string;
let token: string;
let cookie: string;
const connectors: Child[] = [];

const live = async () => (await s.moatless.store.tunnels.connections.listSince(0)).filter((c) => c.tunnel === 'priv');
async function until(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const startConnector = (service: string) => startMoatlessProcess([
  'connector', '--edge', s.authUrl, '--edge-address', `127.0.0.1:${s.port}`, '--token', token, '--url', service,
  '--metrics', '127.0.0.1:0', '--log-level', 'warn',
], /health and metrics on http:\/\/\S+\n/);
const get = (path = '/', over: { method?: string; body?: string } = {}) =>
  s.browser().get(`http://priv.localtest.me:${s.port}${path}`, { headers: { cookie }, ...over });

before(async () => {
  origin = await startFakeUpstream();
  s = await startStack({ apps: (w, p) => [
    { id: 'priv', hosts: ['priv.localtest.me'], upstream: 'tunnel:priv', policies: STAFF },
    { id: 'gone', hosts: ['gone.localtest.me'], upstream: 'tunnel:gone', policies: STAFF },
    ...defaultApps(w, p),
  ] });
  const storage = s.config.storage as { path: string };
  configPath = join(s.config.baseDir, 'cli.yaml');
  writeFileSync(configPath, `server: { authUrl: "${s.authUrl}" }\nstorage: { kind: sqlite, path: ${storage.path} }\n`);
  const created = await runMoatless(['tunnel', 'token', 'create', '--name', 'vm1', '--tunnel', 'priv', '--config', configPath]);
  assert.equal(created.code, 0, created.stderr);
  token = created.stdout.trim();
  assert.match(token, /^mlt_[A-Za-z0-9_-]{43}$/);
  connectors.push(await startConnector(origin.url), await startConnector(origin.url));
  await until('4 tunnel connections', async () => (await live()).length === 4);
  cookie = `moatless_session=${await sessionFor(s, 'alice@contoso.com', 'priv')}`;
});
after(async () => {
  for (const c of connectors) if (c.proc.exitCode === null && c.proc.signalCode === null) await c.stop();
  await s.close();
  await origin.close();
});

test('a signed-in user reaches the private app through the tunnel; Access still guards it', async () => {
  const r = await get('/hello?x=1');
  assert.equal(r.status, 200, r.body);
  const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/hello?x=1');
  assert.ok(seen.headers['moatless-jwt-assertion'], 'the origin gets the signed assertion through the tunnel');
  const anon = await s.browser().get(`http://priv.localtest.me:${s.port}/`);
  assert.equal(anon.status, 302, 'without a session the request never reaches the tunnel');
});

test('request and response bodies stream both ways; WebSocket upgrades go through', async () => {
  const big = 'x'.repeat(3 * 1024 * 1024);
  const r = await get('/upload', { method: 'POST', body: big });
  assert.equal((JSON.parse(r.body) as { bodyBytes: number }).bodyBytes, big.length);
  const { hello, echo } = await echoThrough(s.port, 'priv.localtest.me', cookie, 'ping through the tunnel');
  assert.deepEqual(hello, { hello: true, assertion: true });
  assert.equal(echo, 'ping through the tunnel');
});

test('both connectors carry requests', async () => {
  await Promise.all(Array.from({ length: 40 }, () => get('/spread')));
  const counts = await Promise.all(connectors.map(async (c) => {
    const url = /health and metrics on (http:\/\/\S+)/.exec(c.output())![1]!;
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/moatless_connector_requests_total\{outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
  }));
  assert.ok(counts.every((n) => n > 0), `requests per connector: ${counts.join(', ')}`);
});

test('a local service that is down gets a 502 page naming the tunnel', async () => {
  const down = await freePort();
  await runMoatless(['tunnel', 'token', 'create', '--name', 'gone1', '--tunnel', 'gone', '--config', configPath]).then(async (c) => {
    const child = await startMoatlessProcess(['connector', '--edge', s.authUrl, '--edge-address', `127.0.0.1:${s.port}`, '--token', c.stdout.trim(),
      '--url', `http://127.0.0.1:${down}`, '--metrics', '127.0.0.1:0', '--connections', '1'], /health and metrics on/);
    connectors.push(child);
  });
  const goneCookie = `moatless_session=${await sessionFor(s, 'alice@contoso.com', 'gone')}`;
  await until('gone connected', async () => (await s.moatless.store.tunnels.connections.listSince(0)).some((c) => c.tunnel === 'gone'));
  const r = await s.browser().get(`http://gone.localtest.me:${s.port}/`, { headers: { cookie: goneCookie } });
  assert.equal(r.status, 502);
  assert.match(r.body, /Tunnel &#34;gone&#34;|Tunnel "gone"/);
  assert.match(r.body, new RegExp(`127\\.0\\.0\\.1:${down}`));
});

test('tunnel status reports each connector with the version in package.json', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const out = await runMoatless(['tunnel', 'status', '--json', '--config', configPath]);
  assert.equal(out.code, 0, out.stderr);
  const priv = (JSON.parse(out.stdout) as { tunnel: string; connectors: { version: string }[] }[]).find((t) => t.tunnel === 'priv');
  assert.equal(priv?.connectors.length, 2);
  assert.deepEqual(priv.connectors.map((c) => c.version), [version, version]);
});

test('killing one connector under load fails no request started after the edge saw it go', async () => {
  const results: { start: number; status: number }[] = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const start = Date.now();
      const status = await get('/load').then((r) => r.status, () => 0);
      results.push({ start, status });
    }
  };
  const workers = Array.from({ length: 6 }, worker);
  await new Promise((r) => setTimeout(r, 400));
  connectors[0]!.proc.kill('SIGKILL');
  await until('the edge to drop the dead connections', async () => (await live()).length === 2);
  const noticed = Date.now();
  await new Promise((r) => setTimeout(r, 800));
  stop = true;
  await Promise.all(workers);
  const after = results.filter((r) => r.start >= noticed);
  assert.ok(after.length > 20, `requests after the kill: ${after.length}`);
  assert.deepEqual(after.filter((r) => r.status !== 200), [], 'no new request failed');
  assert.ok(results.filter((r) => r.status !== 200).length <= 6, 'at most the requests in flight failed');
  const status = await runMoatless(['tunnel', 'status', '--config', configPath]);
  assert.match(status.stdout, /tunnel priv: healthy, 1 connector\(s\)/);
  assert.match(status.stdout, /127\.0\.0\.1/);
});

test('revoking the token cuts the tunnel on the spot', async () => {
  const revoked = await runMoatless(['tunnel', 'token', 'revoke', '--name', 'vm1', '--config', configPath]);
  assert.equal(revoked.code, 0, revoked.stderr);
  await until('no connection of tunnel priv', async () => (await live()).length === 0, 3000);
  const r = await get('/after-revoke');
  assert.equal(r.status, 502);
  assert.match(r.body, /through tunnel &#34;priv&#34;/, 'the page names the tunnel');
  await until('the connector to be refused', async () => /refused the token/.test(connectors[1]!.output()), 5000);
});

test('a bad token, or no connector id, is refused before any WebSocket is set up', async () => {
  const status = (headers: Record<string, string>) => new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/tunnel/v1/connect`, { headers: { host: new URL(s.authUrl).host, ...headers } });
    ws.on('unexpected-response', (_q, res) => { res.resume(); resolve(res.statusCode ?? 0); });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('error', () => resolve(-1));
  });
  assert.equal(await status({ authorization: `Bearer mlt_${'A'.repeat(43)}`, 'moatless-connector-id': 'c1' }), 401);
  assert.equal(await status({ authorization: 'Bearer nonsense', 'moatless-connector-id': 'c1' }), 401);
  assert.equal(await status({ authorization: `Bearer ${token}` }), 400);
  const plain = await s.browser().get(`${s.authUrl}/tunnel/v1/connect`);
  assert.equal(plain.status, 426);
});
