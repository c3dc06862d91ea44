// The gateway log's stdout line is written without pino's per-call work, but must read exactly like
// a pino line: level, time, the logger's bindings, `type: "gateway"`, and every entry field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { gatewayLineWriter } from '../../src/gateway/gateway-log-line.ts';
import type { GatewayLogEntry } from '../../src/store/ports.ts';

const entry: GatewayLogEntry = {
  time: Date.UTC(2026, 11, 5, 12, 0, 0), requestId: 'r1', userKey: 'u1', email: 'a"b@contoso.com', groups: ['Risky'],
  host: 'app1.example.com', url: 'http://app1.example.com/x?q="1"\n', method: 'GET', action: 'allow', policy: null,
  reasons: ['rule: Allow'], status: 200, bytes: 1024, isolation: null, clientIp: '127.0.0.1',
};

function capture(level = 'info') {
  const lines: string[] = [];
  const dest = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); cb(); } });
  return { lines, logger: pino({ level, base: { app: 'moatless' } }, dest) };
}

test('a gateway line is one JSON line with pino\'s fields, the bindings and every entry field, after flush', async () => {
  const { lines, logger } = capture();
  const w = gatewayLineWriter(logger.child({ worker: 2 }));
  w.write(entry);
  w.write({ ...entry, requestId: 'r2', bytes: Number.NaN });
  assert.equal(lines.length, 0, 'gathered until flushed');
  w.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(lines.length, 2);
  const a = JSON.parse(lines[0]!) as Record<string, unknown>;
  const { time, ...rest } = entry;
  assert.deepEqual({ ...a, time: undefined }, { level: 30, time: undefined, app: 'moatless', worker: 2, type: 'gateway', at: new Date(time).toISOString(), ...rest });
  assert.equal(typeof a.time, 'number');
  assert.equal((JSON.parse(lines[1]!) as { bytes: unknown }).bytes, null);
});

test('nothing is written when info is off', async () => {
  const { lines, logger } = capture('warn');
  const w = gatewayLineWriter(logger);
  w.write(entry);
  w.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(lines.length, 0);
});
