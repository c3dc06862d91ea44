// Access-log rows written from the thread land in the same SQLite file the main store reads, and
// rows that arrive once the thread is gone still reach the main store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type AccessLogEntry, type GatewayLogEntry, type Store } from '../store/index.ts';
import { threadedAccessLogStore } from './access-log-thread.ts';
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
