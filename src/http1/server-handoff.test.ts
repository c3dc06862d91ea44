// The connection-level parts of the HTTP/1.1 server side a front door needs: handing a connection to
// another server (bytes put back), 421 where that cannot be done, the request and keep-alive
// timeouts, graceful close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { OnRequest, ServerOptions } from './server-connection.ts';
import { exchange, serve } from './server-test-kit.ts';

const hello: OnRequest = (req, res) => res.writeHead(200).end(`hello ${req.url}`);

/** A handOff that serves every request but those for Host `other`, and records what the other side was given. */
function handOffTo(other: { bytes: string; sockets: number }): ServerOptions['handOff'] {
  return {
    serves: (req) => req.headers.host !== 'other',
    to: (socket: Duplex) => {
      other.sockets++;
      socket.on('data', (d: Buffer) => {
        other.bytes += d.toString('latin1');
        if (other.bytes.includes('\r\n\r\n')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nother');
      });
    },
  };
}

test('a first request served elsewhere hands the connection over with every byte read, body and pipelined bytes included', async () => {
  const other = { bytes: '', sockets: 0 };
  const { port, server, calls } = await serve(hello, undefined, { handOff: handOffTo(other) });
  const sent = 'POST /x HTTP/1.1\r\nHost: other\r\nContent-Length: 3\r\n\r\nabcGET /y HTTP/1.1\r\nHost: x\r\n\r\n';
  const r = await exchange(port, [sent.slice(0, 20), sent.slice(20)], { gapMs: 30 });
  server.close();
  assert.deepEqual(calls, []);
  assert.equal(other.sockets, 1);
  assert.equal(other.bytes, sent);
  assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[^]*other$/);
});

test('close() after a hand-off leaves the socket to its new owner', async () => {
  const other: { answer?: (text: string) => void } = {};
  const { port, server, conns } = await serve(hello, undefined, {
    handOff: { serves: () => false, to: (socket) => { other.answer = (t) => socket.end(t); socket.resume(); } },
  });
  const r = exchange(port, ['GET / HTTP/1.1\r\nHost: other\r\n\r\n'], { waitMs: 2000 });
  while (!other.answer) await new Promise((res) => setTimeout(res, 10));
  for (const c of conns) c.close();
  await new Promise((res) => setTimeout(res, 50));
  other.answer('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
  const got = await r;
  server.close();
  assert.match(got.text, /^HTTP\/1\.1 200 OK\r\n[^]*ok$/);
});

test('a later request on an idle keep-alive connection is handed over from its first byte', async () => {
  const other = { bytes: '', sockets: 0 };
  const { port, server, calls } = await serve(hello, undefined, { handOff: handOffTo(other) });
  const second = 'GET /b HTTP/1.1\r\nHost: other\r\n\r\n';
  const r = await new Promise<string>((resolve) => {
    const c = connect(port, '127.0.0.1');
    let text = '';
    c.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.endsWith('hello /a')) c.write(second);
    });
    c.on('close', () => resolve(text));
    c.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  server.close();
  assert.deepEqual(calls, ['GET /a']);
  assert.equal(other.bytes, second);
  assert.match(r, /hello \/aHTTP\/1\.1 200 OK\r\n[^]*other$/);
});

test('a request pipelined behind a served one, for elsewhere, gets 421 and a closed connection', async () => {
  const other = { bytes: '', sockets: 0 };
  const { port, server, calls } = await serve(hello, undefined, { handOff: handOffTo(other) });
  const r = await exchange(port, ['GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: other\r\n\r\n']);
  server.close();
  assert.deepEqual(calls, ['GET /a']);
  assert.equal(other.sockets, 0);
  assert.match(r.text, /hello \/aHTTP\/1\.1 421 Misdirected Request\r\nconnection: close\r\n/);
  assert.equal(r.closed, true);
});

test('an Upgrade served elsewhere is handed over as bytes, not as an upgrade', async () => {
  const other = { bytes: '', sockets: 0 };
  let upgrades = 0;
  const { port, server } = await serve(hello, () => void upgrades++, { handOff: handOffTo(other) });
  const sent = 'GET /ws HTTP/1.1\r\nHost: other\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly';
  await exchange(port, [sent]);
  server.close();
  assert.equal(upgrades, 0);
  assert.equal(other.bytes, sent);
});

test('a body not read whole within the request timeout: the connection is cut; without one it waits', async () => {
  const gotBody = (req: Parameters<OnRequest>[0], res: Parameters<OnRequest>[1]) => {
    req.body!.on('error', () => {});
    req.body!.on('data', () => {});
    req.body!.on('end', () => res.writeHead(200).end('done'));
  };
  const slow = ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab', 'cd'];
  const timed = await serve(gotBody, undefined, { requestTimeoutMs: 300 });
  const started = Date.now();
  const cut = await exchange(timed.port, slow, { gapMs: 100, waitMs: 2000 });
  timed.server.close();
  assert.equal(cut.closed, true);
  assert.ok(Date.now() - started < 1500);
  const untimed = await serve(gotBody);
  const waited = await exchange(untimed.port, slow, { gapMs: 100, waitMs: 800 });
  untimed.server.close();
  assert.equal(waited.closed, false);
});

test('close(): an idle connection closes at once; a response in progress finishes, then its connection closes', async () => {
  const { port, server, conns } = await serve((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('slow done'), 200);
    else hello(req, res);
  });
  const idle = exchange(port, ['GET /a HTTP/1.1\r\nHost: x\r\n\r\n'], { waitMs: 3000 });
  const busy = exchange(port, ['GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'], { waitMs: 3000 });
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  for (const c of conns) c.close();
  const [i, b] = await Promise.all([idle, busy]);
  server.close();
  assert.match(i.text, /hello \/a$/);
  assert.equal(i.closed, true);
  assert.match(b.text, /connection: close\r\n[^]*slow done$/);
  assert.equal(b.closed, true);
  assert.ok(Date.now() - started < 1000);
});

test('an idle keep-alive connection closes keepAliveMs after its last response, not up to twice that', async () => {
  const { port, server } = await serve(hello, undefined, { keepAliveMs: 400 });
  const r = await new Promise<{ lastAnswer: number; closedAt: number }>((resolve) => {
    const c = connect(port, '127.0.0.1');
    let got = '';
    let lastAnswer = 0;
    c.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      lastAnswer = Date.now();
      // The second request comes after the first idle check (400 ms): that check must not reset the limit to a whole period.
      if (got.endsWith('hello /a')) setTimeout(() => c.write('GET /b HTTP/1.1\r\nHost: x\r\n\r\n'), 450);
    });
    c.on('close', () => resolve({ lastAnswer, closedAt: Date.now() }));
    c.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  server.close();
  const idle = r.closedAt - r.lastAnswer;
  assert.ok(idle >= 350 && idle < 650, `closed ${idle} ms after the last response`);
});
