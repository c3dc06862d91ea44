import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { OnRequest } from './server-connection.ts';
import { exchange, serve } from './server-test-kit.ts';

const hello: OnRequest = (req, res) => res.writeHead(200, ['content-type', 'text/plain']).end(`hello ${req.method} ${req.url}`);

test('framing: one response per request with Content-Length, kept alive; HEAD and 204 carry no body', async () => {
  const { port, server } = await serve((req, res) => {
    if (req.url === '/none') return void res.writeHead(204, { 'x-a': '1' }).end('ignored');
    hello(req, res);
  });
  const r = await exchange(port, ['GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /none HTTP/1.1\r\nHost: x\r\n\r\n'], { until: (t) => t.includes('x-a: 1') });
  server.close();
  const responses = r.text.split(/(?=HTTP\/1\.1 )/);
  assert.equal(responses.length, 3);
  assert.match(responses[0]!, /^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\ndate: .+\r\ncontent-length: 12\r\n\r\nhello GET \/a$/);
  assert.match(responses[1]!, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/);
  assert.doesNotMatch(responses[1]!, /content-length|hello/);
  assert.match(responses[2]!, /^HTTP\/1\.1 204 No Content\r\nx-a: 1\r\n[^]*\r\n\r\n$/);
  assert.doesNotMatch(responses[2]!, /ignored|content-length|transfer-encoding/);
  assert.equal(r.closed, false);
});

test('a streamed response is chunked for HTTP/1.1 and close-delimited for HTTP/1.0', async () => {
  const { port, server } = await serve((_req, res) => {
    res.writeHead(200);
    res.write('ab');
    setTimeout(() => res.end('cde'), 20);
  });
  const r11 = await exchange(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { until: (t) => t.endsWith('0\r\n\r\n') });
  const r10 = await exchange(port, ['GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n']);
  server.close();
  assert.match(r11.text, /transfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n$/);
  assert.match(r10.text, /connection: close\r\n\r\nabcde$/);
  assert.equal(r10.closed, true);
});

test('smuggling shapes and a missing or repeated Host get 400 and a closed connection; the handler never runs', async () => {
  const { port, server, calls } = await serve(hello);
  const cases = [
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
    'GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n',
    'GET / HTTP/1.1\nHost: x\n\n',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc',
    'GET / HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
    'CONNECT other.example:443 HTTP/1.1\r\nHost: other.example:443\r\n\r\n',
  ];
  for (const text of cases) {
    const r = await exchange(port, [text]);
    assert.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\nconnection: close\r\n/, JSON.stringify(text));
    assert.equal(r.closed, true, JSON.stringify(text));
  }
  server.close();
  assert.deepEqual(calls, []);
});

test('pipelined requests are answered in order, one at a time, even when the first is slower', async () => {
  let inFlight = 0;
  let most = 0;
  const { port, server } = await serve((req, res) => {
    inFlight++;
    most = Math.max(most, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200).end(req.url);
    }, req.url === '/slow' ? 80 : 1);
  });
  const r = await exchange(port, ['GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  server.close();
  assert.deepEqual([...r.text.matchAll(/\r\n\r\n(\/[a-z]+)/g)].map((m) => m[1]), ['/slow', '/fast', '/last']);
  assert.equal(most, 1);
  assert.equal(r.closed, true);
});

test('limits: a head past the byte limit or the field count gets 431 and a closed connection', async () => {
  const { port, server, calls } = await serve(hello);
  const big = await exchange(port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`]);
  const many = await exchange(port, [`GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 25 }, (_, i) => `X-${i}: v\r\n`).join('')}\r\n`]);
  server.close();
  for (const r of [big, many]) {
    assert.match(r.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.equal(r.closed, true);
  }
  assert.deepEqual(calls, []);
});

test('a head sent too slowly gets 408 within the headers timeout, though bytes keep arriving', async () => {
  const { port, server, calls } = await serve(hello);
  const started = Date.now();
  const r = await exchange(port, ['GET / HTTP/1.1\r\n', 'Host: x\r\n', 'X-1: a\r\n', 'X-2: a\r\n', 'X-3: a\r\n', 'X-4: a\r\n', '\r\n'], { gapMs: 100, waitMs: 2000 });
  server.close();
  assert.match(r.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.equal(r.closed, true);
  assert.ok(Date.now() - started < 1000);
  assert.deepEqual(calls, []);
});

test('a connection that never sends a byte is closed after the headers timeout, without a 408', async () => {
  const { port, server } = await serve(hello, undefined, { keepAliveMs: 10_000 });
  const started = Date.now();
  const r = await exchange(port, [], { waitMs: 3000 });
  server.close();
  assert.equal(r.text, '');
  assert.equal(r.closed, true);
  assert.ok(Date.now() - started < 1500);
});

test('an idle keep-alive connection is closed after keepAliveMs', async () => {
  const { port, server } = await serve(hello, undefined, { keepAliveMs: 200 });
  const started = Date.now();
  const r = await exchange(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { waitMs: 3000 });
  server.close();
  assert.match(r.text, /hello GET \//);
  assert.equal(r.closed, true);
  assert.ok(Date.now() - started < 2000);
});

test('Expect: 100-continue gets 100 Continue before the body is sent; an unknown expectation gets 417', async () => {
  const { port, server } = await serve((req, res) => {
    let body = '';
    req.body!.on('data', (c: Buffer) => (body += c.toString()));
    req.body!.on('end', () => res.writeHead(200).end(`got ${body}`));
  });
  const r = await new Promise<string>((resolve) => {
    const c = connect(port, '127.0.0.1');
    let text = '';
    // No 100 Continue: the body is never sent, and what arrived by then is the answer.
    setTimeout(() => { c.destroy(); resolve(text); }, 1500).unref();
    c.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text === 'HTTP/1.1 100 Continue\r\n\r\n') c.write('abc');
      if (text.endsWith('got abc')) { c.destroy(); resolve(text); }
    });
    c.write('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n');
  });
  const refused = await exchange(port, ['POST / HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 3\r\n\r\nabc']);
  server.close();
  assert.match(r, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  assert.match(refused.text, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
});

test('an Upgrade request hands the socket over with the bytes that followed its head', async () => {
  let handed = '';
  const { port, server } = await serve(hello, (req, socket, head) => {
    handed = `${req.method} ${req.url} ${req.headers.upgrade} ${head.toString()}`;
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()}`));
  });
  const r = await exchange(port, ['GET /a HTTP/1.1\r\nHost: x\r\nX: 1\r\n\r\nGET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly', 'later'], { gapMs: 50, until: (t) => t.includes('echo:later') });
  server.close();
  assert.equal(handed, 'GET /ws echo early');
  assert.match(r.text, /hello GET \/a.*HTTP\/1\.1 101 Switching Protocols\r\n.*\r\n\r\necho:later$/s);
});

test('a client gone mid-body: the body stream fails and the response says close, so the handler can stop', async () => {
  let bodyFailed = false;
  let replyClosed = false;
  let gotPiece: () => void = () => {};
  const piece = new Promise<void>((r) => (gotPiece = r));
  const { port, server } = await serve((req, res) => {
    req.body!.on('data', () => gotPiece());
    req.body!.on('error', () => (bodyFailed = true));
    res.on('close', () => (replyClosed = true));
  });
  const c: Socket = connect(port, '127.0.0.1');
  c.on('error', () => {});
  c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-part');
  await piece;
  c.destroy();
  await new Promise((r) => setTimeout(r, 100));
  server.close();
  assert.equal(bodyFailed, true);
  assert.equal(replyClosed, true);
});

test('a response shorter than its Content-Length closes the connection instead of leaving the client to wait', async () => {
  const { port, server } = await serve((_req, res) => res.writeHead(200, { 'content-length': 10 }).end('short'));
  const r = await exchange(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
  server.close();
  assert.match(r.text, /content-length: 10\r\n/);
  assert.equal(r.closed, true);
});

test('a response field with CR or LF, or a name that is not a token, is refused by writeHead (no header injection)', async () => {
  const errors: string[] = [];
  const { port, server } = await serve((req, res) => {
    try {
      if (req.url === '/name') res.writeHead(200, { 'x-a: b': '1' });
      else res.writeHead(302, { location: 'https://a.example/\r\nset-cookie: x=1' });
    } catch (e) {
      errors.push((e as Error).message);
      res.writeHead(500).end();
    }
  });
  const r = await exchange(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /name HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  server.close();
  assert.equal(errors.length, 2);
  for (const e of errors) assert.match(e, /invalid character/);
  assert.match(r.text, /^HTTP\/1\.1 500 [^]*HTTP\/1\.1 500 /);
  assert.doesNotMatch(r.text, /set-cookie|x-a/);
});

test('a request answered before its body is read: the rest of the body is dropped and the next request is served', async () => {
  const { port, server, calls } = await serve((_req, res) => res.writeHead(403, { 'content-length': 7 }).end('blocked'));
  const r = await exchange(port, ['POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234', '56789GET /next HTTP/1.1\r\nHost: x\r\n\r\n'], {
    gapMs: 50, until: (t) => (t.match(/blocked/g) ?? []).length === 2,
  });
  server.close();
  assert.deepEqual(calls, ['POST /upload', 'GET /next']);
  assert.equal(r.closed, false);
});

test('a body that never ends after its response is not read forever: the connection closes within 2 × keepAliveMs', async () => {
  const { port, server } = await serve((_req, res) => res.writeHead(403, { 'content-length': 0 }).end(), undefined, { keepAliveMs: 150 });
  const pieces = ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ...Array.from({ length: 40 }, () => '1\r\na\r\n')];
  const started = Date.now();
  const r = await exchange(port, pieces, { gapMs: 25, waitMs: 3000 });
  server.close();
  assert.match(r.text, /^HTTP\/1\.1 403 /);
  assert.equal(r.closed, true);
  assert.ok(Date.now() - started < 800, `closed after ${Date.now() - started} ms`);
});

test('a handler that throws loses its connection; the server serves the next one', async () => {
  const { port, server } = await serve((req, res) => {
    if (req.url === '/throw') throw new Error('handler bug');
    hello(req, res);
  });
  const bad = await exchange(port, ['GET /throw HTTP/1.1\r\nHost: x\r\n\r\n']);
  const good = await exchange(port, ['GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  server.close();
  assert.equal(bad.closed, true);
  assert.equal(bad.text, '');
  assert.match(good.text, /hello GET \/ok/);
});

test('a TCP socket is read by the parser itself (no data event reaches JS); with nativeReads off, from data events', async () => {
  for (const nativeReads of [true, false]) {
    const { port, server, conns } = await serve((_req, res) => res.writeHead(200).end('ok'), undefined, { nativeReads });
    let dataEvents = 0;
    server.once('connection', (s) => s.on('data', () => dataEvents++));
    const r = await exchange(port, ['GET /a HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n'], { gapMs: 30, until: (t) => t.split('HTTP/1.1 200').length === 3 });
    server.close();
    assert.equal(r.text.split('HTTP/1.1 200').length, 3, 'both answered');
    assert.equal(conns.length, 1);
    if (nativeReads) assert.equal(dataEvents, 0, 'read natively');
    else assert.ok(dataEvents >= 2, `read from data events (${dataEvents})`);
  }
});
