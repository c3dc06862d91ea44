import { test } from 'node:test';
import assert from 'node:assert/strict';
import { available, H1Parser, type Head } from './llhttp.ts';

interface Seen { heads: Head[]; bodies: string[]; ends: string[][]; error: string | null; consumed: number }

function parse(kind: 'request' | 'response', text: string, o: { skipBody?: boolean; max?: number; finish?: boolean } = {}): Seen {
  const seen: Seen = { heads: [], bodies: [], ends: [], error: null, consumed: 0 };
  const p = new H1Parser(kind, o.max ?? 16_384, {
    onHead: (h) => { seen.heads.push(h); return o.skipBody; },
    onBody: (b) => void seen.bodies.push(b.toString('latin1')),
    onEnd: (t) => void seen.ends.push(t),
  });
  const r = p.execute(Buffer.from(text, 'latin1'));
  if (typeof r === 'number') {
    seen.consumed = r;
    if (o.finish) seen.error = p.finish()?.code ?? null;
  } else seen.error = r.code;
  p.close();
  return seen;
}

test('this Node has the llhttp binding in the shape the adapter relies on', () => {
  assert.equal(available, true);
});

test('requests: method, target, fields in order, keep-alive; pipelined requests come out in order', () => {
  const s = parse('request', 'GET /a?x=1 HTTP/1.1\r\nHost: a.example\r\nX-One: 1\r\n\r\nHEAD /b HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n');
  assert.equal(s.error, null);
  assert.deepEqual(s.heads.map((h) => [h.method, h.target, h.keepAlive, h.upgrade]), [['GET', '/a?x=1', true, false], ['HEAD', '/b', false, false]]);
  assert.deepEqual(s.heads[0]!.rawHeaders, ['Host', 'a.example', 'X-One', '1']);
  assert.equal(s.ends.length, 2);
  assert.equal(parse('request', 'GET / HTTP/1.0\r\nHost: a\r\n\r\n').heads[0]!.keepAlive, false);
});

test('more than 32 fields and a long target arrive whole (llhttp hands them over in pieces)', () => {
  const fields = Array.from({ length: 40 }, (_, i) => `X-F${i}: v${i}\r\n`).join('');
  const target = `/${'p'.repeat(5000)}`;
  const s = parse('request', `GET ${target} HTTP/1.1\r\nHost: a\r\n${fields}\r\n`);
  assert.equal(s.error, null);
  assert.equal(s.heads[0]!.target, target);
  assert.equal(s.heads[0]!.rawHeaders.length, 82);
  assert.equal(s.heads[0]!.rawHeaders[81], 'v39');
});

test('request smuggling shapes are refused: CL+TE, duplicate CL, obs-fold, bare LF, bare CR, bad chunk size, TE not ending in chunked', () => {
  const cases: [string, string][] = [
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n'],
    ['bare LF line ends', 'GET / HTTP/1.1\nHost: a\n\n'],
    ['bare CR inside the head', 'GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n'],
    ['bad chunk size', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n'],
    ['chunk size with trailing junk', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n'],
    ['Transfer-Encoding not ending in chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n'],
    ['negative Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n'],
  ];
  for (const [what, text] of cases) {
    const s = parse('request', text);
    assert.notEqual(s.error, null, what);
    assert.equal(s.ends.length, 0, what);
  }
});

test('a head larger than the limit is HPE_HEADER_OVERFLOW', () => {
  assert.equal(parse('request', `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(3000)}\r\n\r\n`, { max: 1024 }).error, 'HPE_HEADER_OVERFLOW');
});

test('chunked bodies come out de-chunked, with their trailers', () => {
  const s = parse('request', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n');
  assert.equal(s.error, null);
  assert.equal(s.bodies.join(''), 'abcde');
  assert.deepEqual(s.ends, [['X-T', '1']]);
});

test('upgrades stop at the head: the bytes after it are not consumed', () => {
  const text = 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
  const s = parse('request', `${text}\x81\x05hello`);
  assert.equal(s.heads[0]!.upgrade, true);
  assert.equal(s.consumed, Buffer.byteLength(text));
});

test('responses: status and reason; no body after a HEAD (skipBody), 204 or 304; 1xx then the final one', () => {
  const ok = parse('response', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  assert.deepEqual([ok.heads[0]!.status, ok.heads[0]!.reason, ok.bodies.join(''), ok.ends.length], [200, 'OK', 'ok', 1]);
  const head = parse('response', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n', { skipBody: true });
  assert.deepEqual([head.bodies.length, head.ends.length], [0, 1]);
  for (const status of [204, 304]) {
    const s = parse('response', `HTTP/1.1 ${status} X\r\nContent-Length: 5\r\n\r\n`);
    assert.deepEqual([s.error, s.bodies.length, s.ends.length], [null, 0, 1], String(status));
  }
  const info = parse('response', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assert.deepEqual(info.heads.map((h) => h.status), [100, 200]);
});

test('a close-delimited response ends when the origin closes; a cut Content-Length body is an error', () => {
  const s = parse('response', 'HTTP/1.1 200 OK\r\n\r\nuntil close', { finish: true });
  assert.deepEqual([s.error, s.bodies.join(''), s.ends.length, s.heads[0]!.keepAlive], [null, 'until close', 1, false]);
  const cut = parse('response', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', { finish: true });
  assert.notEqual(cut.error, null);
  assert.equal(cut.ends.length, 0);
});
