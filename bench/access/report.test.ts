import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floorLines, NAMES, tlsExtra } from './report.ts';
import type { Summary } from './throughput.ts';

const row = (name: string, cpuRuns: number[], rps = 1000): Summary => ({
  name, conn: 50, rps, p50Ms: 1, p99Ms: 2, spreadPct: 0, non2xx: 0, cpuRuns, cpuUsPerReq: [...cpuRuns].sort((a, b) => a - b)[cpuRuns.length >> 1]!,
  runs: cpuRuns.map(() => ({ rps, requests: 1, p50Ms: 1, p99Ms: 2, non2xx: 0, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 } }) as never),
});

test('what TLS adds is the median of per-round differences, so one disturbed round does not swing it', () => {
  // Round 2 of the HTTPS row was disturbed: medians of each row differ by 20, the rounds by 10.
  const https = row('https', [150, 300, 160]);
  const http = row('http', [140, 135, 150]);
  assert.equal(tlsExtra(https, http), '+10');
  assert.equal(tlsExtra(row('https', []), http), 'n/a');
});

test('the TLS floor is held against nginx TLS and Moatless TLS, with what TLS adds to each', () => {
  const s = [
    row(NAMES.ngx1, [30, 30]), row(NAMES.m1, [130, 130]), row(NAMES.floorUndici, [100, 100]),
    row(NAMES.ngxTls, [40, 40]), row(NAMES.mTls, [150, 150]), row(NAMES.floorTls, [110, 110]),
  ];
  const text = floorLines(s);
  assert.match(text, /floor TLS: node:https \+ undici Pool: .* nginx TLS \+ proxy_pass, log on's c50 rps \(CPU 110 vs 40 µs\/req\); moatless TLS \/ this floor: .* \+40 µs\/req/);
  assert.match(text, /TLS adds \(HTTPS − HTTP, same code; a process per scheme except nginx\): floor \+10, transport floor n\/a, moatless \+20, nginx \+10/);
});

test('the transport floor is held against nginx and against Moatless on each scheme: what the Access request path itself costs', () => {
  const s = [
    row(NAMES.ngx1, [30, 30]), row(NAMES.m1, [130, 130]), row(NAMES.floorLean, [70, 70]),
    row(NAMES.ngxTls, [40, 40]), row(NAMES.mTls, [150, 150]), row(NAMES.floorLeanTls, [95, 95]),
  ];
  const text = floorLines(s);
  assert.match(text, /floor: Moatless transport \(src\/http1\): .* nginx proxy_pass, log on's c50 rps \(CPU 70 vs 30 µs\/req\); moatless log on \/ this floor: .* \+60 µs\/req/);
  assert.match(text, /floor TLS: Moatless transport \(src\/http1\): .*\(CPU 95 vs 40 µs\/req\); moatless TLS \/ this floor: .* \+55 µs\/req/);
  assert.match(text, /floor n\/a, transport floor \+25, moatless \+20, nginx \+10/);
});
