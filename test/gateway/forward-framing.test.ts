// The Gateway's HTTP/1.1 client (src/http1/) under forward(): what an origin receives and
// what a client gets back, byte for byte, for every framing case — bodies by length and chunked,
// Expect, HEAD, 204/304, 1xx, close-delimited responses, reuse only after a fully read response,
// a stale kept-alive connection, timeouts, back-pressure and a malformed origin. Real sockets on
// 127.0.0.1: a node:http front (as the gateway's listener and inspector use) and a raw origin.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tcpDialer } from '../../src/gateway/dialer.ts';
import { forward, UpstreamError } from '../../src/gateway/forward.ts';
import { UpstreamPool } from '../../src/gateway/upstream-pool.ts';
import { RawClient } from '../harness/raw-client.ts';

interface Origin { port: number; received: string[]; sockets: Socket[]; server: Server }

/** A raw origin: `reply` answers each connection's bytes as they arrive (all bytes so far). */
async function startOrigin(reply: (seen: string, socket: Socket, index: number) => void): Promise<Origin> {
  const o: Origin = { port: 0, received: [], sockets: [], server: createServer() };
  o.server.on('connection', (s) => {
    const index = o.sockets.push(s) - 1;
    o.received[index] = '';
    s.on('data', (d: Buffer) => { o.received[index] += d.toString('latin1'); reply(o.received[index]!, s, index); });
    s.on('error', () => {});
  });
  o.server.listen(0, '127.0.0.1');
  await once(o.server, 'listening');
  o.port = (o.server.address() as { port: number }).port;
  return o;
}

interface Front { port: number; pool: UpstreamPool; server: HttpServer; errors: unknown[] }

async function startFront(t: TestContext, origin: Origin, timeoutMs = 5000): Promise<Front> {
  const pool = new UpstreamPool({ dial: (ip, port) => tcpDialer(ip, port, 2000), secure: () => Promise.reject(new Error('no TLS here')), idleMs: 10_000 });
  const f: Front = { port: 0, pool, errors: [], server: createHttpServer() };
  f.server.on('request', (req, res) => {
    const to = pool.poolFor({ user: 'u', ip: '127.0.0.1', port: origin.port, tls: null });
    forward(req, req, res, to, new URL(`http://127.0.0.1:${origin.port}${req.url}`), timeoutMs, [['moatless-extra', 'yes']]).catch((err: unknown) => {
      f.errors.push(err);
      res.writeHead(502, { 'content-length': 3 }).end('bad');
    });
  });
  f.server.listen(0, '127.0.0.1');
  await once(f.server, 'listening');
  f.port = (f.server.address() as { port: number }).port;
  t.after(() => stop(f, origin));
  return f;
}

async function stop(f: Front, o: Origin): Promise<void> {
  f.pool.close();
  f.server.closeAllConnections();
  for (const s of o.sockets) s.destroy();
  await Promise.all([new Promise((r) => f.server.close(r)), new Promise((r) => o.server.close(r))]);
}

const ok = (body = 'ok', extra = '') => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;
const headOf = (s: string) => s.slice(0, s.indexOf('\r\n\r\n') + 4);

test('a body by length: the origin gets the origin-form head once, without hop-by-hop or proxy fields, then the body', async (t) => {
  const o = await startOrigin((seen, s) => { if (seen.endsWith('hello')) s.write(ok('done', 'connection: x-secret, keep-alive\r\nx-secret: 1\r\nkeep-alive: timeout=77\r\n')); });
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Authorization: Basic eDp5\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nContent-Length: 5\r\nX-Keep: 2\r\n\r\nhello');
  assert.ok(await c.until(() => c.text.endsWith('done')));
  const head = headOf(o.received[0]!);
  assert.equal(head, `POST /p?q=1 HTTP/1.1\r\nhost: 127.0.0.1:${o.port}\r\nContent-Length: 5\r\nX-Keep: 2\r\nmoatless-extra: yes\r\n\r\n`);
  assert.match(c.text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(c.text, /x-secret|timeout=77/i);
  c.destroy();
});

test('a chunked body goes out chunked; Expect: 100-continue is answered by the gateway and not relayed', async (t) => {
  const o = await startOrigin((seen, s) => { if (seen.endsWith('0\r\n\r\n')) s.write(ok()); });
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('PUT /u HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n');
  assert.ok(await c.until(() => c.text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')));
  c.write('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
  assert.ok(await c.until(() => c.text.endsWith('ok')));
  const got = o.received[0]!;
  assert.doesNotMatch(got, /expect/i);
  assert.match(headOf(got), /\r\ntransfer-encoding: chunked\r\n\r\n$/);
  assert.equal(got.slice(headOf(got).length).replace(/\r\n/g, '|'), '3|abc|2|de|0||');
  c.destroy();
});

test('HEAD, 204 and 304 have no body whatever their fields say, and the connection is reused after each', async (t) => {
  const answers = ['HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n', 'HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 304 Not Modified\r\ncontent-length: 7\r\n\r\n', ok('last')];
  let n = 0;
  const o = await startOrigin((seen, s) => { if ((seen.match(/\r\n\r\n/g) ?? []).length > n) s.write(answers[n++]!); });
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  for (const [method, status] of [['HEAD', '200'], ['DELETE', '204'], ['GET', '304']] as const) {
    const before = c.text.length;
    c.write(`${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    assert.ok(await c.until(() => c.text.slice(before).includes('\r\n\r\n')), method);
    assert.match(c.text.slice(before), new RegExp(`^HTTP/1\\.1 ${status} `));
  }
  const before = c.text.length;
  c.write('GET /last HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.endsWith('last')));
  assert.match(c.text.slice(0, before), /^HTTP\/1\.1 200 OK\r\n(?:.*\r\n)*content-length: 100\r\n/i);
  assert.equal(o.sockets.length, 1, 'one upstream connection for all four');
  c.destroy();
});

test('1xx responses from the origin are skipped; the final one is relayed', async (t) => {
  const o = await startOrigin((_seen, s) => s.write(`HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n${ok('final')}`));
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.endsWith('final')));
  assert.match(c.text, /^HTTP\/1\.1 200 OK/);
  c.destroy();
});

test('a response without length ends when the origin closes; that connection is not reused', async (t) => {
  const o = await startOrigin((_seen, s) => { s.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil '); setTimeout(() => s.end('the end'), 50); });
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => /until (\r\n)?.*the end/s.test(c.text) && c.text.endsWith('0\r\n\r\n')));
  c.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => o.sockets.length === 2));
  c.destroy();
});

test('a client that goes away mid-response: the upstream connection is closed, never pooled half-read', async (t) => {
  const o = await startOrigin((_seen, s) => { s.write('HTTP/1.1 200 OK\r\ncontent-length: 10000000\r\n\r\n'); s.write(Buffer.alloc(200_000, 97)); });
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.length > 100_000));
  c.destroy();
  assert.ok(await new RawClient(o.sockets[0]!).waitClosed(3000) || o.sockets[0]!.destroyed);
  const to = f.pool.poolFor({ user: 'u', ip: '127.0.0.1', port: o.port, tls: null });
  assert.equal(to.pool.idleCount, 0);
});

/** An origin whose first connection answers one request, then drops the second without a byte. */
const dropsSecond = () => startOrigin((seen, s, i) => {
  const requests = (seen.match(/\r\n\r\n/g) ?? []).length;
  if (i === 0 && requests === 2) s.destroy();
  else s.write(ok(`conn${i}`));
});

test('a reused connection dropped under a GET: retried once on a new connection, the client never sees it', async (t) => {
  const o = await dropsSecond();
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('GET /1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.endsWith('conn0')));
  c.write('GET /2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.endsWith('conn1')), c.text);
  assert.equal(f.errors.length, 0);
  assert.equal(o.sockets.length, 2);
  c.destroy();
});

test('a reused connection dropped under a POST: not retried (not idempotent), the caller\'s 502', async (t) => {
  const o = await dropsSecond();
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('GET /1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.endsWith('conn0')));
  c.write('POST /2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n');
  assert.ok(await c.until(() => c.text.includes('HTTP/1.1 502')), c.text);
  assert.equal(o.sockets.length, 1);
  c.destroy();
});

test('an origin that never answers: UpstreamError after the timeout (the caller\'s 502)', async (t) => {
  const o = await startOrigin(() => {});
  const f = await startFront(t, o, 300);
  const c = await RawClient.open(f.port);
  c.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.startsWith('HTTP/1.1 502')));
  assert.ok(f.errors[0] instanceof UpstreamError);
  assert.match(String((f.errors[0] as Error).cause), /sent nothing for 300 ms/);
  c.destroy();
});

test('a malformed origin response (Content-Length with Transfer-Encoding) is a 502, not relayed', async (t) => {
  const o = await startOrigin((_seen, s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'));
  const f = await startFront(t, o);
  const c = await RawClient.open(f.port);
  c.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.ok(await c.until(() => c.text.startsWith('HTTP/1.1 502')));
  c.destroy();
});

test('back-pressure: a client that stops reading stops the origin too (the gateway does not buffer the response)', async (t) => {
  const total = 64 * 1024 * 1024;
  let origin: Socket | null = null;
  const o = await startOrigin((_seen, s) => {
    origin = s;
    s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${total}\r\n\r\n`);
    const piece = Buffer.alloc(1024 * 1024, 98);
    let sent = 0;
    const pump = () => { while (sent < total) { sent += piece.length; if (!s.write(piece)) return void s.once('drain', pump); } };
    pump();
  });
  const f = await startFront(t, o);
  // A client that reads the first piece, then stops: its buffers fill, then the gateway's socket's.
  const c = connect(f.port, '127.0.0.1');
  c.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await once(c, 'data');
  c.pause();
  await new Promise((r) => setTimeout(r, 1000));
  const flushed = (origin as Socket | null)?.bytesWritten ?? 0;
  assert.ok(flushed > 0 && flushed < total / 2, `the origin could flush ${flushed} of ${total} bytes`);
  c.destroy();
});
