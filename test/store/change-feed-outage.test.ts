// Hardening item 7, at the store: the PostgreSQL change feed is gap-free and notices its own death.
// Replica B reaches PostgreSQL through a TCP relay that can cut or blackhole its connections;
// replica A (and the test's admin client) connect directly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import { StoreUnavailableError } from '../../src/store/errors.ts';
import type { Store } from '../../src/store/ports.ts';
import { freshSchema } from '../harness/postgres.ts';
import { startTcpRelay, viaRelay, type TcpRelay } from '../harness/tcp-relay.ts';

const FEED = { heartbeatMs: 200, deadlineMs: 800 };
let schema: Awaited<ReturnType<typeof freshSchema>>;
let relay: TcpRelay;
let a: Store;
let b: Store;
let admin: pg.Client;

before(async () => {
  schema = await freshSchema();
  const u = new URL(schema.url);
  relay = await startTcpRelay({ host: u.hostname, port: Number(u.port) });
  a = await openStore({ kind: 'postgres', url: schema.url, schema: schema.schema, feed: FEED });
  b = await openStore({ kind: 'postgres', url: viaRelay(schema.url, relay), schema: schema.schema, feed: FEED, queryTimeoutMs: 600 });
  admin = new pg.Client({ connectionString: schema.url, options: `-c search_path=${schema.schema}` });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  await a?.close();
  await Promise.race([b?.close(), new Promise((r) => setTimeout(r, 2000))]);
  await relay?.close();
  await schema?.drop();
});

function next(store: Store, topic: string, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${topic} within ${ms} ms`)); }, ms);
    const off = store.changes.subscribe(topic, (p) => { clearTimeout(timer); off(); resolve(p); });
  });
}

async function until(cond: () => boolean, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > ms) throw new Error(`${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

/** The relay connections that carry B's LISTEN session (PostgreSQL knows their client ports). */
async function listenerPorts(): Promise<Set<number>> {
  const r = await admin.query('SELECT client_port FROM pg_stat_activity WHERE application_name = $1', [`moatless-listen:${schema.schema}`]);
  return new Set(r.rows.map((x: { client_port: number }) => x.client_port));
}

test('a change published while a replica\'s listener is cut off is replayed when it reconnects, then onReconnect runs', async () => {
  await until(() => b.changes.isFresh(), 3000, 'B fresh');
  const order: string[] = [];
  const offR = b.changes.onReconnect(() => order.push('reconnected'));
  const offS = b.changes.subscribe('missed', () => order.push('missed'));
  relay.setNew('refuse');
  relay.cut();
  await until(() => !b.changes.isFresh(), 3000, 'B not fresh after the cut');
  await a.changes.publish('missed', { userKeys: ['t:bob'] });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(order, [], 'nothing can arrive while the link is down');
  relay.setNew('pass');
  await until(() => order.length === 2, 8000, 'replay and reconnect');
  assert.deepEqual(order, ['missed', 'reconnected'], 'the missed change is delivered before caches are told to resync');
  assert.equal(b.changes.isFresh(), true);
  offR();
  offS();
});

test('a silently dead listener (blackholed, no FIN) is noticed within the deadline and replaced', async () => {
  await until(() => b.changes.isFresh(), 5000, 'B fresh');
  const ports = await listenerPorts();
  const reconnected = new Promise<void>((resolve) => { const off = b.changes.onReconnect(() => { off(); resolve(); }); });
  assert.equal(relay.blackhole((c) => ports.has(c.upstreamPort)), 1, 'exactly B\'s listener connection is blackholed');
  const noticed = await until(() => !b.changes.isFresh(), 3000, 'B not fresh after the blackhole');
  assert.ok(noticed <= FEED.deadlineMs + FEED.heartbeatMs + 300, `noticed after ${noticed} ms`);
  const got = next(b, 'during', 6000);
  await a.changes.publish('during', { emails: ['bob@contoso.com'] });
  assert.deepEqual(await got, { emails: ['bob@contoso.com'] });
  await reconnected;
  assert.equal(b.changes.isFresh(), true);
});

test('a change whose log id was taken before another\'s but commits after it is still delivered', async () => {
  await until(() => b.changes.isFresh(), 5000, 'B fresh');
  const seen: unknown[] = [];
  const off = b.changes.subscribe('gap', (p) => seen.push(p));
  const slow = new pg.Client({ connectionString: schema.url, options: `-c search_path=${schema.schema}` });
  await slow.connect();
  try {
    await slow.query('BEGIN');
    await slow.query(`INSERT INTO change_log (origin, topic, payload, created_at) VALUES ('slow', 'gap', '"first"', $1)`, [Date.now()]);
    await a.changes.publish('gap', 'second');
    await until(() => seen.length === 1, 3000, 'the later id');
    await slow.query(`SELECT pg_notify('moatless_changes', current_schema())`);
    await slow.query('COMMIT');
    await until(() => seen.length === 2, 3000, 'the earlier id, committed late');
    assert.deepEqual(seen, ['second', 'first']);
  } finally {
    off();
    await slow.end();
  }
});

test('a query on a blackholed connection fails within the query timeout instead of hanging', async () => {
  await until(() => b.changes.isFresh(), 5000, 'B fresh');
  await b.sessions.get('warm-the-pool');
  relay.setNew('blackhole');
  relay.blackhole();
  const started = Date.now();
  await assert.rejects(b.sessions.get('x'), StoreUnavailableError);
  const took = Date.now() - started;
  assert.ok(took < 2000, `failed after ${took} ms`);
  relay.setNew('pass');
  relay.cut();
  await until(() => b.changes.isFresh(), 10_000, 'B fresh again');
  assert.equal(await b.sessions.get('x'), null, 'the store works again once the link is back');
});
