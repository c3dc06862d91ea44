// Upstream keep-alive across an idle period: a connection left idle for longer than undici's usual
// 30 s is still reused (nginx keeps upstream connections 60 s), so a quiet half-minute does not
// cost every client a new upstream connection. The origin is nginx-like: it keeps connections open
// and announces no `Keep-Alive: timeout` (which undici would obey instead). Real sockets on
// loopback; takes ~40 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { UpstreamPools } from './upstream.ts';

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

test('an upstream connection idle for 40 s is reused, not redialled', { timeout: 60_000 }, async () => {
  let connections = 0;
  // Answers every GET (no bodies here) on a connection it never closes itself.
  const origin = createTcpServer((socket) => {
    connections++;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        buffered = buffered.slice(end + 4);
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      }
    });
    socket.on('error', () => socket.destroy());
  });
  const originPort = await listen(origin);
  const pools = new UpstreamPools({ connectMs: 1000, headersMs: 5000, bodyMs: 0 });
  const front = createServer((req, res) => void pools.forward(req, res, `http://127.0.0.1:${originPort}`, '/', ['host', 'origin'], (s) => {
    res.statusCode = s;
    res.end();
  }));
  const frontPort = await listen(front);
  const ask = () => new Promise<number>((resolve, reject) => {
    get({ host: '127.0.0.1', port: frontPort, path: '/', agent: false }, (r) => { r.resume(); r.on('end', () => resolve(r.statusCode ?? 0)); }).on('error', reject);
  });
  try {
    assert.equal(await ask(), 200);
    await new Promise((r) => setTimeout(r, 40_000));
    assert.equal(await ask(), 200);
    assert.equal(connections, 1, 'the second request rode the first one\'s upstream connection');
  } finally {
    await pools.close();
    front.close();
    origin.close();
  }
});
