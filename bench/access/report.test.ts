import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessGoals, floorLines, leftLines, logCostLine, NAMES, tlsExtra } from './report.ts';
import { logCostOf } from './log-cost.ts';
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

test('a goal not met names what the floors reach on the same measure; met goals and runs without floors name nothing', () => {
  const s = [
    row(NAMES.direct, [10, 10]), row(NAMES.ngx1, [30, 30], 30_000), row(NAMES.ngx1off, [28, 28], 31_000),
    row(NAMES.m1, [130, 130], 9_000), row(NAMES.m1off, [125, 125], 9_300), row(NAMES.floorLean, [70, 70], 15_000),
    row(NAMES.ngxTls, [40, 40], 24_000), row(NAMES.mTls, [150, 150], 6_000), row(NAMES.ngx2, [30, 30], 40_000), row(NAMES.m2, [120, 120], 12_000),
  ];
  const c1 = s.filter((r) => [NAMES.direct, NAMES.ngx1, NAMES.m1].includes(r.name as never)).map((r) => ({ ...r, conn: 1 }));
  const goals = accessGoals([...s, ...c1], { afterBytes: [100, 101] });
  const c50 = goals.find((g) => g.name === 'moatless / nginx, 1w, log on (c50 rps)')!;
  assert.equal(c50.met, false);
  assert.equal(c50.left, 'floor: Moatless transport (src/http1) 0.50×');
  // No TLS floor in this run: nothing to say for HTTPS; the log-cost goal is met: no note.
  assert.equal(goals.find((g) => g.name.startsWith('HTTPS'))!.left, undefined);
  assert.equal(goals.find((g) => g.name.startsWith('access log cost: throughput'))!.left, undefined);
  assert.match(leftLines(goals), /^- moatless \/ nginx, 1w, log on \(c50 rps\) \(0\.30×, goal ≥ 0\.5×\): floor: Moatless transport \(src\/http1\) 0\.50×$/m);
  assert.equal(leftLines(goals.map((g) => ({ ...g, met: true }))), '');
});

test('the log cost comes from the dedicated alternating pairs when measured: their median, so one disturbed pair does not swing it', () => {
  const s = [
    row(NAMES.direct, [10, 10]), row(NAMES.ngx1, [30, 30], 30_000), row(NAMES.ngx1off, [28, 28], 31_000),
    // The rounds' pairing alone would say 30% (130 vs 100 µs/req).
    row(NAMES.m1, [130, 130], 9_000), row(NAMES.m1off, [100, 100], 9_300),
    row(NAMES.ngxTls, [40, 40], 24_000), row(NAMES.mTls, [150, 150], 6_000), row(NAMES.ngx2, [30, 30], 40_000), row(NAMES.m2, [120, 120], 12_000),
  ];
  const c1 = s.filter((r) => [NAMES.direct, NAMES.ngx1, NAMES.m1].includes(r.name as never)).map((r) => ({ ...r, conn: 1 }));
  const w = (cpuUsPerReq: number, rps: number) => ({ cpuUsPerReq, rps });
  // Pair 2 disturbed (the on window 2× dearer): the median of the pairs' ratios is 1.05.
  const lc = logCostOf([{ on: w(105, 9_500), off: w(100, 10_000) }, { on: w(210, 5_000), off: w(100, 10_000) }, { on: w(84, 11_400), off: w(80, 12_000) }]);
  assert.equal(lc.cpuRatio, 1.05);
  assert.equal(lc.rpsRatio, 0.95);
  const cost = (g: ReturnType<typeof accessGoals>) => g.find((x) => x.name.startsWith('access log cost: throughput'))!;
  const withPairs = cost(accessGoals([...s, ...c1], { afterBytes: [100, 101] }, lc));
  assert.equal(withPairs.value, '4.8% (median of 3 alternating pairs)');
  assert.equal(withPairs.met, true);
  const roundsOnly = cost(accessGoals([...s, ...c1], { afterBytes: [100, 101] }));
  assert.equal(roundsOnly.value, "23.1% (the rounds' pairs)");
  assert.equal(roundsOnly.met, false);
  assert.match(logCostLine(lc), /3 alternating pairs: CPU 1\.05× \(µs\/req on\/off: 105\/100, 210\/100, 84\/80\), rps 0\.95×/);
});
