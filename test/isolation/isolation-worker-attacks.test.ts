// The isolation worker's port must not be an open door (issue 14, item 6), as real processes: a
// `moatless serve` auth host and a `moatless isolation-worker` on 127.0.0.2. Straight to the worker:
// nothing without the auth host's proof (none, a wrong secret, another worker's, another request's,
// a replay); with a proof, a forged or revoked session or a foreign Origin is still refused; and a
// worker takes a relayed viewer only for a user the store says it holds. On the auth host: a
// registration that does not verify (a "worker" advertising itself without the secret) gets no
// viewer, and a lease naming it is dropped — the user is placed on the real worker instead.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { OWNERS_NS } from '../../src/isolation/http/viewer-owners.ts';
import { HOP_HEADER, WORKERS_NS } from '../../src/isolation/workers/index.ts';
import { hopProof } from '../../src/isolation/workers/worker-hop.ts';
import { freePort } from '../harness/ports.ts';
import { startMoatlessProcess, type Child } from '../harness/processes.ts';
import { browsersUnder, http, SECRET_ENV, signIn, startWorker, upgradeStatus, withStore, WORKER_SECRET, writeWorkerDeployment, type Worker } from './multi-process.ts';

let dir: string;
let site: Server;
let siteUrl: string;
let port: number;
let auth: Child;
let worker: Worker;
let rogue: Awaited<ReturnType<typeof listenRogue>> | null = null;
const AUTH = () => `http://auth.localtest.me:${port}`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-iso-worker-attacks-'));
  site = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>site</h1>'));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  port = await freePort();
  const configPath = writeWorkerDeployment(dir, { port, gwPort: await freePort(), siteUrl });
  auth = await startMoatlessProcess(['serve', '--config', configPath, '--no-watch'], /auth host/, SECRET_ENV);
  worker = await startWorker(configPath, 'rbi-1', '127.0.0.2');
});

after(async () => {
  await worker?.child.stop();
  await auth?.stop();
  rogue?.server.close();
  site?.closeAllConnections();
  site?.close();
  rmSync(dir, { recursive: true, force: true });
});

const WS_PATH = () => `/isolation/ws?url=${encodeURIComponent(`${siteUrl}/`)}`;
const toWorker = () => `ws://${worker.host}:${worker.port}${WS_PATH()}`;
const viewerHeaders = (secret: string, origin = AUTH()) => ({ host: `auth.localtest.me:${port}`, origin, cookie: `moatless_auth=${secret}` });
const proof = (o: { secret?: string; worker?: string; path?: string } = {}) =>
  ({ [HOP_HEADER]: hopProof(o.secret ?? WORKER_SECRET, o.worker ?? 'rbi-1', 'GET', o.path ?? WS_PATH()) });
const noBrowser = () => assert.deepEqual(browsersUnder(worker.child.proc.pid!), [], 'no browser was started on the worker');

test('straight to the worker without a valid proof: refused before the session is looked at', async () => {
  const ann = await signIn(dir, 'ann@contoso.com');
  assert.equal(await upgradeStatus(toWorker(), viewerHeaders(ann.secret)), 401, 'no proof');
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(ann.secret), ...proof({ secret: 'x'.repeat(44) }) }), 401, 'a proof under another secret');
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(ann.secret), ...proof({ worker: 'rbi-2' }) }), 401, 'a proof made for another worker');
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(ann.secret), ...proof({ path: '/isolation/ws?url=other' }) }), 401, 'a proof for another request');
  const download = await http(worker.port, 'GET', `/isolation/download/${'a'.repeat(32)}`, viewerHeaders(ann.secret), undefined, worker.host);
  assert.equal(download.status, 401, 'a download without a proof');
  const replayed = proof();
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(ann.secret, 'http://evil.example'), ...replayed }), 403, 'first use of the proof (a foreign Origin)');
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(ann.secret), ...replayed }), 401, 'the same proof again: a replay');
  noBrowser();
});

test('with a valid proof, a forged or revoked session, or a foreign Origin, is still refused', async () => {
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders('forged-session-secret'), ...proof() }), 401, 'a forged session cookie');
  const bob = await signIn(dir, 'bob@contoso.com');
  await withStore(dir, (_store, sessions) => sessions.revokeUser({ userKey: bob.userKey }, 'admin'));
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(bob.secret), ...proof() }), 401, 'a revoked session');
  const carol = await signIn(dir, 'carol@contoso.com');
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(carol.secret, 'http://evil.example'), ...proof() }), 403, 'a foreign Origin');
  noBrowser();
});

test('a worker takes a relayed viewer only for a user the store says it holds', async () => {
  const dan = await signIn(dir, 'dan@contoso.com');
  const elsewhere = JSON.stringify({ host: '127.0.0.9', port: 7480, worker: 'rbi-9', tls: false });
  await withStore(dir, (store) => store.kv.set(OWNERS_NS, dan.userKey, elsewhere, Date.now() + 30_000));
  assert.equal(await upgradeStatus(toWorker(), { ...viewerHeaders(dan.secret), ...proof() }), 409, 'held by another worker: not started here');
  noBrowser();
});

test('the auth host sends no viewer to a registration that does not verify, and drops a lease naming it', async () => {
  // A "worker" that advertises itself with more room than the real one, without the secret.
  rogue = await listenRogue();
  const rogueListener = rogue;
  const eve = await signIn(dir, 'eve@contoso.com');
  const identity = { name: 'rogue', host: '127.0.0.4', port: rogueListener.port, tls: false };
  const forged = { ...identity, capacity: 100, free: 100, sessions: 0, pid: 1, hostname: 'rogue', sig: 'A'.repeat(43) };
  await withStore(dir, async (store) => {
    await store.kv.set(WORKERS_NS, 'rogue', JSON.stringify(forged), Date.now() + 60_000);
    await store.kv.set(OWNERS_NS, eve.userKey, JSON.stringify({ host: identity.host, port: identity.port, worker: 'rogue', tls: false }), Date.now() + 30_000);
  });
  await firstFrame(eve.secret);
  assert.equal(rogueListener.connections(), 0, 'nothing was sent to the unverified registration');
  assert.equal(browsersUnder(worker.child.proc.pid!).length, 1, 'Eve\'s browser runs on the registered worker');
  const lease = await withStore(dir, (store) => store.kv.get(OWNERS_NS, eve.userKey));
  assert.equal((JSON.parse(lease!) as { worker: string }).worker, 'rbi-1');
});

async function listenRogue(): Promise<{ server: TcpServer; port: number; connections(): number }> {
  let count = 0;
  const server = createTcpServer((s) => { count++; s.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.4', () => r()));
  return { server, port: (server.address() as { port: number }).port, connections: () => count };
}

/** A viewer on the auth host until its first frame (a real browser served it). */
function firstFrame(secret: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH()}`, { headers: viewerHeaders(secret) });
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no frame within 60 s')); }, 60_000);
    ws.once('open', () => ws.send(JSON.stringify({ t: 'resize', w: 800, h: 600, dpr: 1 })));
    ws.on('message', (_data, binary) => {
      if (!binary) return;
      clearTimeout(timer);
      ws.close();
      resolve();
    });
    ws.once('unexpected-response', (_req, res) => { clearTimeout(timer); reject(new Error(`HTTP ${res.statusCode}`)); });
    ws.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}
