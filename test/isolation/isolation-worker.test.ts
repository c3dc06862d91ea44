// `moatless isolation-worker` (issue 14, item 6), as real processes: a `moatless serve` auth host
// that runs no browsers itself, with its Gateway, and an isolation worker on 127.0.0.2 (another
// host, as far as routing goes), sharing one store. A real Chromium viewer on the auth host gets
// frames from the browser on the worker; a reconnect reaches the same browser; the worker's
// browser goes out through the auth host's Gateway as its user (a Block rule holds for the page's
// own subresource) and the Gateway takes a pass only as its own user; the session is listed with the worker's name and ends on the worker through
// the admin API and on revocation; a killed worker's user gets the capacity answer, and a new
// worker takes them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { createAdminToken } from '../../src/admin/api-tokens.ts';
import { IsolationPasses } from '../../src/gateway/isolation-pass.ts';
import { REGISTRY_NS, type SessionSummary } from '../../src/isolation/index.ts';
import { launchChromium } from '../harness/chromium.ts';
import { freePort } from '../harness/ports.ts';
import { runMoatless, startMoatlessProcess, type Child } from '../harness/processes.ts';
import { browsersUnder, http, SECRET_ENV, signIn, startWorker, until, upgradeStatus, withStore, writeWorkerDeployment, type Worker } from './multi-process.ts';

let dir: string;
let configPath: string;
let site: Server;
let siteUrl: string;
const siteHits: string[] = [];
let port: number;
let gwPort: number;
let auth: Child;
let worker: Worker;
let browser: Browser;
const AUTH = () => `http://auth.localtest.me:${port}`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-iso-worker-'));
  site = createServer((req, res) => {
    siteHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<title>On a worker</title><body style="background:#2a7"><h1>Hello from the site</h1><img src="/secret.png"></body>');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  port = await freePort();
  gwPort = await freePort();
  configPath = writeWorkerDeployment(dir, { port, gwPort, siteUrl });
  auth = await startMoatlessProcess(['serve', '--config', configPath, '--no-watch'], /auth host/, SECRET_ENV);
  worker = await startWorker(configPath, 'rbi-1', '127.0.0.2');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await worker?.child.stop();
  await auth?.stop();
  site?.closeAllConnections();
  site?.close();
  rmSync(dir, { recursive: true, force: true });
});

const registry = () => withStore(dir, async (store) => (await store.kv.list(REGISTRY_NS)).map((r) => JSON.parse(r.value) as SessionSummary));

async function openViewer(secret: string, path = '/page'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 }, deviceScaleFactor: 1 });
  await context.addCookies([{ name: 'moatless_auth', value: secret, url: AUTH() }]);
  const page = await context.newPage();
  await page.goto(`${AUTH()}/browser/${siteUrl}${path}`);
  return page;
}

const framesAtLeast = (page: Page, n: number) =>
  page.waitForFunction((k) => (globalThis as unknown as { __frames: number }).__frames >= k, n, { timeout: 60_000, polling: 50 });

let ann: Awaited<ReturnType<typeof signIn>>;
let annPage: Page;

test('the viewer on the auth host shows the browser on the worker, and a reconnect reaches the same one', async () => {
  ann = await signIn(dir, 'ann@contoso.com');
  annPage = await openViewer(ann.secret);
  await framesAtLeast(annPage, 1);
  assert.equal(browsersUnder(worker.child.proc.pid!).length, 1, 'one Chromium, on the worker');
  assert.equal(browsersUnder(auth.proc.pid!).length, 0, 'the auth host runs no browser');
  await until(async () => (await registry()).length === 1, 'the session in the registry');
  const [row] = await registry();
  assert.equal(row!.worker, 'rbi-1');
  assert.equal(row!.user, 'ann@contoso.com');

  await annPage.reload();
  await framesAtLeast(annPage, 1);
  assert.equal(browsersUnder(worker.child.proc.pid!).length, 1, 'the reconnect attached to the same browser');
  assert.deepEqual((await registry()).map((r) => r.id), [row!.id], 'the same session');
});

test('the worker\'s browser goes out through the Gateway as its user, and a Block rule holds there', async () => {
  await until(() => siteHits.includes('/page'), 'the page request');
  await until(async () => withStore(dir, async (store) => (await store.gateway.log.query({ limit: 200 }))
    .some((r) => r.email === 'ann@contoso.com' && r.action === 'block' && r.url.endsWith('/secret.png'))), 'the blocked subresource in the gateway log', 20_000);
  const rows = await withStore(dir, async (store) => store.gateway.log.query({ limit: 200 }));
  assert.ok(rows.some((r) => r.email === 'ann@contoso.com' && r.action === 'allow' && r.url.endsWith('/page')), 'the page came through the Gateway as Ann');
  assert.ok(!siteHits.includes('/secret.png'), 'the blocked image never reached the site');
});

test('the Gateway takes a worker\'s isolation pass only as the user it was issued to', async () => {
  const bob = await signIn(dir, 'bob@contoso.com');
  const [annPass, bobPass] = await withStore(dir, async (store, sessions) => {
    const passes = new IsolationPasses({ kv: store.kv, sessions, lifetimeMs: () => 600_000 });
    return [await passes.issue({ userKey: ann.userKey, globalSessionId: ann.id }), await passes.issue({ userKey: bob.userKey, globalSessionId: bob.id })];
  });
  const through = (user: string, password: string) => http(gwPort, 'GET', `${siteUrl}/as-${user}`, {
    host: new URL(siteUrl).host, 'proxy-authorization': `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });
  assert.equal((await through(annPass!.username, bobPass!.password)).status, 407, 'Ann\'s pass name with Bob\'s secret');
  assert.equal((await through(bobPass!.username, annPass!.password)).status, 407, 'Bob\'s pass name with Ann\'s secret');
  assert.equal((await through(bobPass!.username, bobPass!.password)).status, 200);
  await until(async () => withStore(dir, async (store) => (await store.gateway.log.query({ limit: 200 }))
    .some((r) => r.url.endsWith(`/as-${bobPass!.username}`) && r.email === 'bob@contoso.com')), 'Bob\'s own pass logged as Bob', 20_000);
  assert.ok(!siteHits.includes(`/as-${annPass!.username}`), 'the mixed credentials reached nothing');
});

test('a download offered by the browser on the worker is relayed to its user, once', async () => {
  const viewer = { host: `auth.localtest.me:${port}`, origin: AUTH(), cookie: `moatless_auth=${ann.secret}` };
  const ws = new WebSocket(`ws://127.0.0.1:${port}/isolation/ws?url=${encodeURIComponent(`${siteUrl}/page`)}`, { headers: viewer });
  const offered = new Promise<string>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ t: 'resize', w: 800, h: 600, dpr: 1 })));
    let asked = false;
    ws.on('message', (data, binary) => {
      if (binary && !asked) { asked = true; ws.send(JSON.stringify({ t: 'print' })); }
      const m = binary ? null : JSON.parse((data as Buffer).toString()) as { t: string; href?: string };
      if (m?.t === 'download') resolve(m.href!);
    });
    ws.once('error', reject);
  });
  const href = await offered;
  ws.close();
  const pdf = await http(port, 'GET', href, viewer);
  assert.equal(pdf.status, 200);
  assert.ok(pdf.body.startsWith('%PDF'), 'the printed page, from the worker');
  assert.equal((await http(port, 'GET', href, viewer)).status, 404, 'offered once');
});

test('`moatless isolation sessions` and the admin API list the session with the worker\'s name; the admin API ends it on the worker', async () => {
  const cli = await runMoatless(['isolation', 'sessions', '--config', configPath], SECRET_ENV);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /ann@contoso\.com .*worker:rbi-1/);
  const { token } = await withStore(dir, (store) => createAdminToken(store, { name: 'test', scope: 'write', expiresInMs: 3_600_000, now: Date.now() }));
  const headers = { host: `auth.localtest.me:${port}`, authorization: `Bearer ${token}` };
  const listed = await http(port, 'GET', '/api/v1/isolation/sessions', headers);
  assert.equal(listed.status, 200, listed.body);
  const items = (JSON.parse(listed.body) as { items: Array<{ id: string; worker: string | null }> }).items;
  assert.deepEqual(items.map((i) => i.worker), ['rbi-1']);
  const ended = await http(port, 'POST', '/api/v1/isolation/sessions/end', headers, JSON.stringify({ id: items[0]!.id }));
  assert.equal(ended.status, 200, ended.body);
  await until(() => browsersUnder(worker.child.proc.pid!).length === 0, 'the browser on the worker to close');
  await until(async () => (await registry()).length === 0, 'the session to leave the registry');
  await annPage.context().close();
});

test('revoking the user\'s sessions ends their browser on the worker', async () => {
  const page = await openViewer(ann.secret);
  await framesAtLeast(page, 1);
  assert.equal(browsersUnder(worker.child.proc.pid!).length, 1);
  await withStore(dir, (_store, sessions) => sessions.revokeUser({ userKey: ann.userKey }, 'admin'));
  await until(() => browsersUnder(worker.child.proc.pid!).length === 0, 'the browser on the worker to close on revocation');
  await page.context().close();
});

test('a killed worker: its user\'s next viewer is refused (capacity, never unisolated); a new worker takes them', async () => {
  const bob = await signIn(dir, 'bob@contoso.com');
  const page = await openViewer(bob.secret);
  await framesAtLeast(page, 1);
  await page.context().close();
  const held = browsersUnder(worker.child.proc.pid!);
  assert.equal(held.length, 1);
  await worker.child.stop(0);
  // Its own process group, so the kill does not reach it: it exits when its DevTools pipe closes.
  await until(() => held.every((pid) => !existsSync(`/proc/${pid}`)), 'the killed worker\'s Chromium to exit too');
  const viewer = { host: `auth.localtest.me:${port}`, origin: AUTH(), cookie: `moatless_auth=${bob.secret}` };
  const ws = `ws://127.0.0.1:${port}/isolation/ws?url=${encodeURIComponent(`${siteUrl}/page`)}`;
  assert.equal(await upgradeStatus(ws, viewer), 503, 'no worker left: refused');
  // Once the dead worker's registration has expired, the viewer page itself says so.
  await until(async () => (await http(port, 'GET', `/browser/${siteUrl}/page`, viewer)).status === 503, 'the capacity page', 20_000);
  assert.match((await http(port, 'GET', `/browser/${siteUrl}/page`, viewer)).body, /Isolation capacity reached/);

  worker = await startWorker(configPath, 'rbi-2', '127.0.0.3');
  const again = await openViewer(bob.secret);
  await framesAtLeast(again, 1);
  await until(async () => (await registry()).some((r) => r.user === 'bob@contoso.com' && r.worker === 'rbi-2'), 'listed on rbi-2');
  await again.context().close();
});
