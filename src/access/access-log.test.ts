// The access log under load: one stdout line per request carrying every entry field, rows that a
// slow store cannot take dropped and counted instead of queued without bound or waited for, lines a
// full stdout throws away counted, and the counts exported as moatless_access_log_dropped_total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { pino } from 'pino';
import { Metrics } from '../admin/metrics.ts';
import type { AccessLogEntry, AccessLogStore } from '../store/ports.ts';
import { AccessLog } from './access-log.ts';

const entry = (n: number): AccessLogEntry => ({
  time: Date.UTC(2026, 11, 5, 12, 0, 0, n), requestId: `req-${n}`, userKey: 't:ann@contoso.com', email: 'ann@contoso.com', appId: 'wiki',
  host: 'wiki.example.com', path: '/a "quoted"\npath', method: 'GET', action: 'allow', policy: null, reasons: ['group.match', 'ip'],
  status: 200, durationMs: 1.25, clientIp: '127.0.0.1',
});
const memoryStore = (rows: AccessLogEntry[], wait?: Promise<void>): AccessLogStore => ({
  async append(es) { await wait; rows.push(...es); },
  query: async () => [],
  histogram: async () => [],
  purgeBefore: async () => 0,
});

test('one JSON line per record, pino-shaped, with every entry field', async () => {
  let out = '';
  const logger = pino({ base: { app: 'moatless' } }, { write: (s: string) => void (out += s) });
  const log = new AccessLog(memoryStore([]), logger);
  log.record(entry(1));
  log.record(entry(2));
  await log.close();
  assert.ok(out.endsWith('\n'));
  const lines = out.slice(0, -1).split('\n');
  assert.equal(lines.length, 2, 'one line each');
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
  const { time, ...fields } = entry(1);
  assert.deepEqual(parsed, { level: 30, time: parsed['time'], app: 'moatless', type: 'access', at: new Date(time).toISOString(), ...fields });
  assert.equal(typeof parsed['time'], 'number');
});

test('no line when the logger is above info, and none without a logger', async () => {
  const lines: string[] = [];
  const quiet = new AccessLog(memoryStore([]), pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) }));
  quiet.record(entry(1));
  const rows: AccessLogEntry[] = [];
  const none = new AccessLog(memoryStore(rows), null);
  none.record(entry(2));
  await Promise.all([quiet.close(), none.close()]);
  assert.deepEqual(lines, []);
  assert.equal(rows.length, 1, 'the store copy is kept either way');
});

test('a store that cannot keep up: rows past the bound are dropped and counted, record() never waits', async () => {
  let release!: () => void;
  const stuck = new Promise<void>((r) => (release = r));
  const rows: AccessLogEntry[] = [];
  const log = new AccessLog(memoryStore(rows, stuck), null, { maxPendingRows: 500 });
  for (let i = 0; i < 1200; i++) log.record(entry(i));
  assert.equal(log.dropped.store, 700);
  release();
  await log.close();
  assert.equal(rows.length, 500, 'everything not dropped is written');
  log.record(entry(9999)); // room again once the store caught up
  await log.flush();
  assert.equal(rows.length, 501);
  assert.equal(log.dropped.store, 700);
});

test('lines a full stdout buffer throws away are counted, the others written whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-accesslog-'));
  try {
    const file = join(dir, 'out.log');
    // The process logger's destination, with a small ceiling: while one ~16 KB chunk is being
    // written, the next does not fit; sonic-boom drops it and says so.
    const dest = pino.destination({ dest: file, sync: false, maxLength: 20_000 });
    await once(dest, 'ready');
    const log = new AccessLog(memoryStore([]), pino({}, dest));
    for (let i = 0; i < 200; i++) log.record(entry(i));
    await log.close();
    dest.end();
    await once(dest, 'close');
    const written = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.ok(log.dropped.stdout > 0 && written.length > 0, `some lines were dropped (${written.length} written)`);
    assert.equal(written.length + log.dropped.stdout, 200);
    for (const l of written) assert.equal((JSON.parse(l) as { type: string }).type, 'access');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drops are exported as moatless_access_log_dropped_total by sink', async () => {
  const store = { sessions: { listActive: async () => ({ total: 0, items: [] }) }, changes: { isFresh: () => true } };
  const metrics = new Metrics({ store: store as never, now: Date.now, processMetrics: false });
  const log = new AccessLog(memoryStore([], new Promise(() => {})), null, { maxPendingRows: 1 });
  for (let i = 0; i < 4; i++) log.record(entry(i));
  metrics.accessLogDrops = () => log.dropped;
  const { body } = await metrics.render();
  assert.match(body, /^moatless_access_log_dropped_total\{sink="store"\} 3$/m);
  assert.match(body, /^moatless_access_log_dropped_total\{sink="stdout"\} 0$/m);
});

test('an entry of another shape gets the same line as one from the entry builder, and never a key that is not listed', async () => {
  let out = '';
  const logger = pino({ base: { app: 'moatless' } }, { write: (s: string) => void (out += s) });
  const log = new AccessLog(memoryStore([]), logger);
  const built = entry(1);
  // Same values, keys in another order, plus one the line must not carry: the field-by-field path.
  const { time, ...rest } = built;
  const reordered = { ...rest, time, secret: 'do-not-log' } as unknown as AccessLogEntry;
  log.record(built);
  log.record(reordered);
  await log.close();
  const [a, b] = out.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(!('secret' in b!), 'an unlisted key is not written');
  assert.deepEqual({ ...b, time: 0 }, { ...a, time: 0 });
  // Keys in the listed order in both.
  assert.deepEqual(Object.keys(b!), Object.keys(a!));
});

test('a store taking serialized rows gets each entry whole (time included), from the line or, with no line, stringified', async () => {
  for (const withLine of [true, false]) {
    const batches: string[] = [];
    const store = { ...memoryStore([]), async append() { throw new Error('objects were sent where JSON was taken'); }, async appendJson(json: string) { batches.push(json); } };
    const logger = withLine ? pino({}, { write: () => {} }) : null;
    const log = new AccessLog(store, logger);
    const sent = Array.from({ length: 450 }, (_, i) => entry(i));
    for (const e of sent) log.record(e);
    await log.close();
    assert.deepEqual(batches.map((b) => (JSON.parse(b) as unknown[]).length), [200, 200, 50], 'batches of 200, the rest on close');
    assert.deepEqual(batches.flatMap((b) => JSON.parse(b) as AccessLogEntry[]), sent, withLine ? 'with the line' : 'without it');
  }
});
