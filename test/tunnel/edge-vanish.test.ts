// An edge that vanishes mid-stream (issue 15, Bad input): the edge process is SIGKILLed while a
// response streams through the tunnel. The request in flight fails cleanly at both ends (the client's
// connection ends, the connector cuts its request to the local service instead of leaving it
// hanging), the connector keeps running and re-dials with exponential backoff and full jitter (few
// attempts, spread delays — not a tight loop), and once the edge is back new requests go through.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startConnector, type RunningConnector } from '../../src/tunnel/connector/index.ts';
import { compileIngress } from '../../src/tunnel/connector/ingress.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../harness/ports.ts';
import { runMoatless, startMoatlessProcess, type Child } from '../harness/processes.ts';

let dir: string;
let origin: FakeUpstream;
let port: number;
let configPath: string;
let edge: Child;
let connector: RunningConnector;
let log = '';
let cookie: string;

const startEdge = () => startMoatlessProcess(['serve', '--config', configPath, '--no-watch'], /listening on/);
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
/** Through the edge; resolves once the response head arrived, with its status and the response. */
const get = (path: string) => new Promise<{ status: number; body: Promise<string> }>((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { host: `priv.localtest.me:${port}`, cookie } }, (res) => {
    let text = '';
    const body = new Promise<string>((ok, fail) => {
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok(text));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('aborted')));
    });
    body.catch(() => undefined);
    resolve({ status: res.statusCode ?? 0, body });
  });
  req.on('error', reject);
  req.end();
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-edge-vanish-'));
  origin = await startFakeUpstream();
  port = await freePort();
  configPath = join(dir, 'moatless.yaml');
  writeFileSync(configPath, stringify({
    server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://auth.localtest.me:${port}`, shutdownGrace: '1s' },
    identityProviders: [{ id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x', authorityUrl: 'http://127.0.0.1:9' }],
    apps: [{ id: 'priv', hosts: ['priv.localtest.me'], upstream: 'tunnel:priv', policies: [{ name: 'all', action: 'allow', include: [{ emailDomain: 'contoso.com' }] }] }],
    storage: { kind: 'sqlite', path: join(dir, 'moatless.db') },
    logging: { level: 'warn', accessLog: false },
  }));
  const created = await runMoatless(['tunnel', 'token', 'create', '--name', 'vm1', '--tunnel', 'priv', '--config', configPath]);
  assert.equal(created.code, 0, created.stderr);
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'moatless.db') });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 30_000 });
  const identity = { userKey: 't:bob', email: 'bob@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };
  const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  cookie = `moatless_session=${(await sessions.createApp(g.record, 'priv', 3_600_000, identity, null, null)).secret}`;
  sessions.close();
  await store.close();
  edge = await startEdge();
  const rules = compileIngress({ ingress: [{ service: origin.url }] });
  assert.ok(rules.ok);
  connector = await startConnector({
    targets: [{ url: new URL(`http://auth.localtest.me:${port}`), address: { host: '127.0.0.1', port } }],
    token: created.stdout.trim(), connections: 2, rules: rules.rules, metricsAddress: '127.0.0.1:0', requireAssertion: null,
    version: 'test', logger: pino({ level: 'warn' }, { write: (line: string) => void (log += line) }),
  });
  await until('2 edge connections', () => connector.up() === 2);
});

after(async () => {
  await connector?.close();
  await edge?.stop();
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the edge dies mid-stream: the request fails cleanly, the connector backs off, and serves again once the edge is back', async () => {
  assert.equal((await get('/before')).status, 200);
  // A long-lived response streaming through the tunnel, and the origin's view of it.
  let originClosed = false;
  origin.server.on('request', (req, res) => { if (req.url === '/stream') res.on('close', () => (originClosed = true)); });
  const inFlight = await get('/stream');
  assert.equal(inFlight.status, 200);

  edge.proc.kill('SIGKILL');
  await assert.rejects(inFlight.body, 'the client sees its response cut, not a truncated success');
  await until('the connector to notice', () => connector.up() === 0, 10_000);
  await until('the connector to cut its request to the local service', () => originClosed, 5_000);

  // Down for a while: the connector keeps re-dialing, with growing, jittered delays.
  await new Promise((r) => setTimeout(r, 3000));
  const restartedAt = Date.now();
  edge = await startEdge();
  await until('both connections back', () => connector.up() === 2, 45_000);
  const back = await get('/after');
  assert.equal(back.status, 200);
  assert.equal(JSON.parse(await back.body).url, '/after');

  const retries = log.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; retryInMs?: number })
    .filter((l) => l.msg === 'edge connection down; retrying').map((l) => l.retryInMs!);
  const downMs = Date.now() - restartedAt + 3000;
  assert.ok(retries.length >= 4, `each of the 2 connections retried more than once: ${retries.join(', ')}`);
  // 0.5 s doubling with full jitter: a couple of dozen dials at most over the outage, not a busy loop.
  assert.ok(retries.length <= 2 * (Math.log2(downMs / 500) + 8), `${retries.length} retries in ${downMs} ms: ${retries.join(', ')}`);
  assert.ok(retries.every((ms) => ms >= 50 && ms <= 30_000), retries.join(', '));
  assert.ok(new Set(retries).size > retries.length / 2, `jittered delays: ${retries.join(', ')}`);
});
