// `moatless serve` with `server.workers: 2` and isolation, as a real process tree: a user's viewer
// reconnects several times, each time on a fresh connection that the cluster hands to either
// worker, and always reaches the same remote browser — one Chromium for the user in the whole tree,
// one session in the registry — because the worker that does not hold it relays the WebSocket to
// the one that does (src/isolation/http/viewer-owners.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { stringify } from 'yaml';
import { OWNERS_NS } from '../../src/isolation/http/viewer-owners.ts';
import { REGISTRY_NS } from '../../src/isolation/index.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../harness/ports.ts';
import { startMoatlessProcess, type Child } from '../harness/processes.ts';
import { browsersUnder, withStore } from './multi-process.ts';

let dir: string;
let upstream: FakeUpstream;
let port: number;
let primary: Child;
const AUTH = () => `http://auth.localtest.me:${port}`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-iso-cluster-'));
  upstream = await startFakeUpstream();
  port = await freePort();
  const config = {
    server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: AUTH(), shutdownGrace: '1s', workers: 2 },
    identityProviders: [{ id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x', authorityUrl: 'http://127.0.0.1:9' }],
    apps: [{ id: 'wiki', hosts: ['wiki.localtest.me'], upstream: upstream.url, policies: [{ name: 'all', action: 'allow', include: [{ emailDomain: 'contoso.com' }] }] }],
    storage: { kind: 'sqlite', path: join(dir, 'moatless.db') },
    logging: { level: 'error', accessLog: false },
    isolation: { pool: { size: 0 }, chromiumPath: process.env.MOATLESS_CHROMIUM ?? '/usr/bin/chromium' },
  };
  writeFileSync(join(dir, 'moatless.yaml'), stringify(config));
  primary = await startMoatlessProcess(['serve', '--config', join(dir, 'moatless.yaml'), '--no-watch'], /listening on .*\(2 workers\)/);
});

after(async () => {
  await primary?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the viewer on a fresh connection, waits for a frame of the remote page, and leaves. */
function viewOnce(secret: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/isolation/ws?url=${encodeURIComponent(target)}`, {
      headers: { host: `auth.localtest.me:${port}`, origin: AUTH(), cookie: `moatless_auth=${secret}` },
    });
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no frame within 60 s')); }, 60_000);
    ws.once('open', () => ws.send(JSON.stringify({ t: 'resize', w: 800, h: 600, dpr: 1 })));
    ws.on('message', (data, binary) => {
      if (!binary) {
        const m = JSON.parse((data as Buffer).toString()) as { t?: string; message?: string };
        if (m.t === 'error') { clearTimeout(timer); ws.close(); reject(new Error(m.message)); }
        return;
      }
      clearTimeout(timer);
      ws.close();
      resolve();
    });
    ws.once('unexpected-response', (_req, res) => { clearTimeout(timer); reject(new Error(`HTTP ${res.statusCode}`)); });
    ws.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

/** Chromium browser processes (not their renderers and helpers) anywhere under the primary. */
const browsersInTree = () => browsersUnder(primary.proc.pid!);

test('a viewer reconnecting on either worker reaches the one browser of its user', async () => {
  const secret = await withStore(dir, async (_store, sessions) => {
    const identity = { userKey: 't:ann@contoso.com', email: 'ann@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {} };
    return (await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null })).secret;
  });
  // Six fresh connections: the cluster balances connections round-robin, so both workers get some.
  for (let i = 0; i < 6; i++) await viewOnce(secret, `${upstream.url}/page`);
  assert.equal(browsersInTree().length, 1, 'one Chromium for the user, whichever worker the viewer reached');
  const rows = await withStore(dir, async (store) => {
    // The registry is written by the worker that holds a session (every 10 s, and at start).
    return (await store.kv.list(REGISTRY_NS)).map((r) => JSON.parse(r.value) as { user: string; host: string });
  });
  assert.deepEqual(rows.map((r) => r.user), ['ann@contoso.com'], 'one isolation session in the whole cluster');
  const owners = await withStore(dir, async (store) => store.kv.list(OWNERS_NS));
  assert.equal(owners.length, 1);
  assert.equal((JSON.parse(owners[0]!.value) as { pid: number }).pid, Number(rows[0]!.host.split(':').at(-1)), 'the owner recorded is the worker holding the browser');
});
