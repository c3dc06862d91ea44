import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationMs, parseWrk, WrkParseError } from './wrk-parse.ts';

// Real wrk 4.1.0 output (Debian), trimmed of nothing.
const C50 = `Running 5s test @ http://127.0.0.1:41233/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   844.27us  301.52us  12.62ms   93.07%
    Req/Sec    59.71k     3.20k   63.09k    84.00%
  Latency Distribution
     50%  793.00us
     75%    0.88ms
     90%    1.03ms
     99%    1.80ms
  297081 requests in 5.00s, 346.82MB read
Requests/sec:  59404.71
Transfer/sec:     69.35MB
`;

const ERRORS = `Running 2s test @ http://127.0.0.1:9/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20s   500.00ms   1.99s    60.00%
    Req/Sec     1.00k   100.00     1.10k    50.00%
  Latency Distribution
     50%    1.10s
     75%    1.50s
     90%    1.90s
     99%    1.99s
  1200 requests in 2.00s, 1.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 1200
Requests/sec:    600.00
Transfer/sec:    512.00KB
`;

describe('parseWrk', () => {
  test('reads throughput and latency percentiles, converting us to ms', () => {
    const r = parseWrk(C50);
    assert.equal(r.requests, 297081);
    assert.equal(r.durationS, 5);
    assert.equal(r.rps, 59404.71);
    assert.equal(r.p50Ms, 0.793);
    assert.equal(r.p75Ms, 0.88);
    assert.equal(r.p99Ms, 1.8);
    assert.equal(r.non2xx, 0);
    assert.deepEqual(r.socketErrors, { connect: 0, read: 0, write: 0, timeout: 0 });
  });

  test('reports non-2xx responses, socket errors, and times in seconds', () => {
    const r = parseWrk(ERRORS);
    assert.equal(r.non2xx, 1200);
    assert.deepEqual(r.socketErrors, { connect: 0, read: 3, write: 0, timeout: 7 });
    assert.equal(r.requests, 1200);
    assert.equal(r.p50Ms, 1100);
    assert.equal(r.p99Ms, 1990);
  });

  test('refuses output without --latency percentiles', () => {
    const noLatency = C50.replace(/ {2}Latency Distribution[\s\S]*?99%[^\n]*\n/, '');
    assert.throws(() => parseWrk(noLatency), WrkParseError);
  });

  test('refuses output that is not wrk at all', () => {
    assert.throws(() => parseWrk('unable to connect to 127.0.0.1:9 Connection refused'), /requests in/);
  });
});

describe('parseDurationMs', () => {
  test('knows every wrk time unit', () => {
    assert.equal(parseDurationMs('250.00us'), 0.25);
    assert.equal(parseDurationMs('3.10ms'), 3.1);
    assert.equal(parseDurationMs('2.00s'), 2000);
    assert.equal(parseDurationMs('1.50m'), 90_000);
  });

  test('rejects a bare number', () => {
    assert.throws(() => parseDurationMs('12'), WrkParseError);
  });
});
