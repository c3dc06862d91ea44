// `moatless serve` with `server.workers: 2` on SQLite, as a real process tree: both workers answer,
// a logout handled by one worker is enforced by the other on the very next request (the IPC
// fan-out, not the 200 ms store poll), SIGHUP reloads every worker, a crashed worker is replaced,
// and SIGTERM drains them all. The worker that answered is told apart by the request id's
// per-process prefix, which the fake upstream echoes (allowed) or the deny answer carries (denied).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../harness/ports.ts';
import { startMoatlessProcess, type Child } from '../harness/processes.ts';

let dir: string;
let upstream: FakeUpstream;
let port: number;
let primary: Child;
let configPath: string;
const HOST = 'wiki.localtest.me';

const config = (action: 'allow' | 'block') => ({
  server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://auth.localtest.me:${port}`, shutdownGrace: '1s', workers: 2 },
  identityProviders: [{ id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x', authorityUrl: 'http://127.0.0.1:9' }],
  apps: [{ id: 'wiki', hosts: [HOST], upstream: upstream.url, policies: [{ name: 'contoso', action, include: [{ emailDomain: 'contoso.com' }] }] }],
  storage: { kind: 'sqlite', path: join(dir, 'moatless.db') },
  logging: { level: 'warn', accessLog: false },
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-cluster-'));
  upstream = await startFakeUpstream();
  port = await freePort();
  configPath = join(dir, 'moatless.yaml');
  writeFileSync(configPath, stringify(config('allow')));
  // An app created through the admin API: the primary's banner lists it with the file's.
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'moatless.db') });
  await store.admin.configObjects.create({ kind: 'app', id: 'crm', body: { id: 'crm', hosts: ['crm.localtest.me'], upstream: upstream.url }, createdAt: Date.now(), createdBy: 'test' });
  await store.close();
  primary = await startMoatlessProcess(['serve', '--config', configPath, '--no-watch'], /listening on .*\(2 workers\)[^]*moatless: app crm .*\n/, {}, 90_000);
});

after(async () => {
  await primary?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer { status: number; worker: string }

/** One request on a fresh connection (cluster balances connections, not requests). */
function get(path: string, secret: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { host: `${HOST}:${port}`, cookie: `moatless_session=${secret}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        const id = res.statusCode === 200 ? (JSON.parse(body) as { headers: Record<string, string> }).headers['moatless-request-id'] : res.headers['moatless-request-id'];
        resolve({ status: res.statusCode ?? 0, worker: String(id ?? '').split('-')[0]! });
      });
    });
    req.on('error', reject);
    // A connection handed to a worker as it is killed never answers.
    req.setTimeout(3_000, () => req.destroy(new Error('no answer')));
    req.end();
  });
}

/** Requests until `n` distinct workers answered; returns every answer in order. */
async function untilWorkers(path: string, secret: string, n: number, max = 40): Promise<Answer[]> {
  const answers: Answer[] = [];
  while (new Set(answers.map((a) => a.worker)).size < n) {
    assert.ok(answers.length < max, `only ${new Set(answers.map((a) => a.worker)).size} worker(s) answered in ${max} requests`);
    answers.push(await get(path, secret));
  }
  return answers;
}

async function appSession(email: string): Promise<string> {
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'moatless.db') });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 30_000 });
  const identity = { userKey: `t:${email}`, email, idp: 'entra', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };
  const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  const a = await sessions.createApp(g.record, 'wiki', 3_600_000, identity, null, null);
  sessions.close();
  await store.close();
  return a.secret;
}

function workerPids(): number[] {
  const pid = primary.proc.pid!;
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

test('the primary\'s banner lists the file\'s apps and those created through the admin API', () => {
  assert.match(primary.output(), /moatless: app wiki\s+http:\/\/wiki\.localtest\.me:\d+\/\n/);
  assert.match(primary.output(), /moatless: app crm\s+http:\/\/crm\.localtest\.me:\d+\/\s+\(admin API\)\n/);
});

test('a logout on one worker is enforced by every worker on the very next request', async () => {
  // Three users: without the fan-out each trial would pass only if a 200 ms poll happened to land
  // between the logout and the next request.
  for (const user of ['ann', 'ben', 'cat']) {
    const secret = await appSession(`${user}@contoso.com`);
    const warm = await untilWorkers('/', secret, 2);
    assert.ok(warm.every((a) => a.status === 200), `${user}: both workers serve the session (now cached in both)`);
    const logout = await get('/.moatless/logout', secret);
    assert.equal(logout.status, 302);
    const next = await untilWorkers('/', secret, 2);
    assert.deepEqual(next.map((a) => a.status), next.map(() => 302), `${user}: every request after logout is sent to sign in`);
  }
});

test('SIGHUP reloads every worker', async () => {
  const secret = await appSession('dan@contoso.com');
  assert.ok((await untilWorkers('/', secret, 2)).every((a) => a.status === 200));
  writeFileSync(configPath, stringify(config('block')));
  const before = primary.output().match(/config reloaded/g)?.length ?? 0;
  primary.proc.kill('SIGHUP');
  const deadline = Date.now() + 10_000;
  while ((primary.output().match(/config reloaded/g)?.length ?? 0) < before + 2) {
    assert.ok(Date.now() < deadline, `workers did not report a reload:\n${primary.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok((await untilWorkers('/', secret, 2)).every((a) => a.status === 403), 'the new policy holds on both workers');
  writeFileSync(configPath, stringify(config('allow')));
  primary.proc.kill('SIGHUP');
});

test('a crashed worker is restarted, and the cluster serves with two workers again', async () => {
  const secret = await appSession('eve@contoso.com');
  const [victim] = workerPids();
  assert.ok(victim);
  const tagsBefore = new Set((await untilWorkers('/', secret, 2)).map((a) => a.worker));
  process.kill(victim, 'SIGKILL');
  const deadline = Date.now() + 15_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `no replacement worker answered:\n${primary.output()}`);
    const tags = new Set((await untilWorkers('/', secret, 2, 400).catch(() => [])).map((a) => a.worker));
    if (tags.size === 2 && [...tags].some((t) => !tagsBefore.has(t))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(primary.output(), /worker exited unexpectedly; restarting/);
  assert.equal(workerPids().length, 2);
});

test('SIGTERM drains the workers and the primary exits 0', async () => {
  const pids = workerPids();
  const exited = new Promise<number | null>((r) => primary.proc.once('exit', (code) => r(code)));
  primary.proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} is gone`);
});
