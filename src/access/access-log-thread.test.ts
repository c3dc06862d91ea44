// Access-log rows written from the thread land in the same SQLite file the main store reads, and
// rows that arrive once the thread is gone still reach the main store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type AccessLogEntry, type GatewayLogEntry, type Store } from '../store/index.ts';
import { LOG_THREAD_NICE, threadedAccessLogStore } from './access-log-thread.ts';
import { AccessLog } from './access-log.ts';

let dir: string;
let path: string;
let store: Store;
const errors: object[] = [];
const logger = { info: () => {}, warn: () => {}, error: (o: object) => { errors.push(o); } };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-logthread-'));
  path = join(dir, 'db.sqlite');
  store = await openStore({ kind: 'sqlite', path });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (requestId: string): AccessLogEntry => ({
  time: Date.now(), requestId, userKey: 't:ann', email: 'ann@contoso.com', appId: 'wiki', host: 'wiki.example.com', path: '/',
  method: 'GET', action: 'allow', policy: 'staff', reasons: ['group.match'], status: 200, durationMs: 1, clientIp: '127.0.0.1',
});

test('rows appended through the thread are read back from the main store', async () => {
  const t = threadedAccessLogStore({ kind: 'sqlite', path }, store, logger);
  await t.store.append([entry('thr-1'), entry('thr-2')]);
  const ids = (await t.store.query({ limit: 10, email: 'ann@contoso.com' })).map((e) => e.requestId);
  assert.ok(ids.includes('thr-1') && ids.includes('thr-2'), `got ${ids.join(', ')}`);
  await t.close();
});

test('gateway-log rows go through the same thread and are read back from the main store', async () => {
  const t = threadedAccessLogStore({ kind: 'sqlite', path }, store, logger);
  const gw = (requestId: string): GatewayLogEntry => ({
    time: Date.now(), requestId, userKey: null, email: null, groups: [], host: 'example.com', url: 'https://example.com/', method: 'GET',
    action: 'allow', policy: null, reasons: ['gateway.default_action'], status: 200, bytes: 10, isolation: null, clientIp: '127.0.0.1',
  });
  await t.gatewayLog.append([gw('gw-1'), gw('gw-2')]);
  const ids = (await store.gateway.log.query({ limit: 10 })).map((e) => e.requestId);
  assert.ok(ids.includes('gw-1') && ids.includes('gw-2'), `got ${ids.join(', ')}`);
  await t.close();
});

test('after the thread is closed, late appends (a final flush) go to the main store', async () => {
  const t = threadedAccessLogStore({ kind: 'sqlite', path }, store, logger);
  await t.close();
  await t.store.append([entry('fallback-1')]);
  const ids = (await store.accessLog.query({ limit: 50 })).map((e) => e.requestId);
  assert.ok(ids.includes('fallback-1'));
  assert.deepEqual(errors, [], 'a deliberate close is not reported as a failure');
});

test('rows the thread cannot write (its store will not open) reach the main store whole, through the access log', async () => {
  // A directory where the database file should be: the thread's own connection fails on every batch.
  const t = threadedAccessLogStore({ kind: 'sqlite', path: dir }, store, logger);
  const log = new AccessLog(t.store, null);
  const sent = Array.from({ length: 450 }, (_, i) => ({ ...entry(`lost-${i}`), reasons: ['a "quoted" reason', 'ip'] }));
  for (const e of sent) log.record(e);
  await log.close();
  await t.close();
  const back = (await store.accessLog.query({ limit: 1000 })).filter((e) => e.requestId.startsWith('lost-'));
  assert.equal(back.length, 450);
  assert.deepEqual(back.find((e) => e.requestId === 'lost-7'), sent[7]);
  assert.equal(log.dropped.store, 0);
});

/** Name and nice value of each of this process's threads, from /proc (Linux). */
function threadNices(): { tid: number; name: string; nice: number }[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    let stat: string;
    try { stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'); } catch { return []; } // a thread that just ended
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // proc(5): field 19 is nice; `rest` starts at field 3 (state).
    return [{ tid: Number(tid), name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), nice: Number(rest[16]) }];
  });
}

test('the log thread runs below the request path: nice LOG_THREAD_NICE on its own thread, the main thread untouched', { skip: process.platform === 'linux' ? false : 'nice is per thread only on Linux' }, async () => {
  const mainNice = threadNices().find((t) => t.tid === process.pid)!.nice;
  const t = threadedAccessLogStore({ kind: 'sqlite', path }, store, logger);
  try {
    await t.store.append([entry('nice-1')]); // answered: the thread is up and has set its priority
    const workers = threadNices().filter((x) => x.name === 'WorkerThread');
    assert.equal(workers.length, 1, JSON.stringify(threadNices()));
    assert.equal(workers[0]!.nice, LOG_THREAD_NICE);
    assert.equal(threadNices().find((x) => x.tid === process.pid)!.nice, mainNice);
  } finally {
    await t.close();
  }
});

test('rows with non-ASCII text (names, paths, reasons) come back from the thread byte for byte', async () => {
  const t = threadedAccessLogStore({ kind: 'sqlite', path }, store, logger);
  try {
    const sent = { ...entry('utf8-1'), email: 'zoë@contoso.com', path: '/wiki/Ünïcödé/日本', reasons: ['a "quoted" reason', 'emoji 🔒', 'tab\there'] };
    await t.store.append([sent]);
    const back = (await store.accessLog.query({ limit: 50 })).find((e) => e.requestId === 'utf8-1');
    assert.deepEqual(back, sent);
  } finally {
    await t.close();
  }
});
