// The dial seam: the proxy and the upgrade relay both open origin connections through the given
// UpstreamDialer, so a dialer that is not TCP (a tunnel) serves both.
// Addresses below (10.0.0.0/8, example hosts) are data, never dialled; the network guard is loaded here
// too, so even a run of this file alone cannot reach them.
import '../../test/harness/no-network.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { duplexPair, type Duplex } from 'node:stream';
import { tunnelOf, tunnelOrigin, type DialedStream, type UpstreamDialer } from './dialer.ts';
import { UpstreamPools } from './upstream.ts';
import { relayUpgrade } from './upgrade-relay.ts';

const timeouts = { connectMs: 1000, headersMs: 2000, bodyMs: 2000 };

/** An origin with no port at all: every connection is an in-memory pair handed to an HTTP server. */
function inMemoryOrigin(): { dialer: UpstreamDialer; dialed: string[] } {
  const server = createServer((req, res) => res.end(`hello ${req.url}`));
  server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n');
    socket.pipe(socket);
  });
  const dialed: string[] = [];
  return {
    dialed,
    dialer: {
      async connect(t) {
        dialed.push(t.origin);
        const [ours, theirs] = duplexPair();
        server.emit('connection', theirs);
        const stream: DialedStream = Object.assign(ours, { setTimeout: () => stream });
        return stream;
      },
    },
  };
}

test('the proxy opens origin connections through the dialer it is given', async () => {
  const o = inMemoryOrigin();
  const viaTunnel = new UpstreamPools(timeouts, o.dialer);
  const front = createServer((req: IncomingMessage, res: ServerResponse) => {
    void viaTunnel.forward(req, res, tunnelOrigin('web'), req.url ?? '/', ['host', 'app.example'], (s) => { res.statusCode = s; res.end(); });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const port = (front.address() as AddressInfo).port;
  const body = await new Promise<string>((resolve, reject) => {
    request({ port, host: '127.0.0.1', path: '/x' }, (res) => {
      let s = '';
      res.on('data', (c: Buffer) => (s += c));
      res.on('end', () => resolve(s));
    }).on('error', reject).end();
  });
  assert.equal(body, 'hello /x');
  assert.deepEqual(o.dialed, [tunnelOrigin('web')]);
  front.close();
  await viaTunnel.close();
});

test('the upgrade relay opens its origin connection through the dialer', async () => {
  const o = inMemoryOrigin();
  const [client, far] = duplexPair();
  const status = await relayUpgrade(client, Buffer.alloc(0), {
    origin: tunnelOrigin('web'), path: '/ws', method: 'GET', headers: ['host', 'app.example', 'connection', 'Upgrade', 'upgrade', 'echo'],
    timeouts, requestId: 'r1', dialer: o.dialer,
  });
  assert.equal(status, 101);
  assert.deepEqual(o.dialed, [tunnelOrigin('web')]);
  let got = '';
  far.on('data', (c: Buffer) => (got += c));
  far.write('ping');
  await new Promise((r) => setTimeout(r, 50));
  assert.match(got, /^HTTP\/1.1 101[\s\S]*\r\n\r\nping$/);
  far.destroy();
});

test('a dial that fails is a 502 for the upgrade; one that times out is a 504', async () => {
  for (const [code, want] of [['ECONNREFUSED', 502], ['TUNNEL_CONNECT_TIMEOUT', 504]] as const) {
    const [client, far] = duplexPair();
    far.resume();
    const dialer: UpstreamDialer = { connect: () => Promise.reject(Object.assign(new Error(code), { code })) };
    const status = await relayUpgrade(client, Buffer.alloc(0), {
      origin: tunnelOrigin('web'), path: '/', method: 'GET', headers: [], timeouts, requestId: 'r', dialer,
    });
    assert.equal(status, want);
    (client as Socket).destroy();
  }
});

test('tunnel origins round-trip; TCP origins are not tunnels', () => {
  assert.equal(tunnelOf(tunnelOrigin('web-1')), 'web-1');
  assert.equal(tunnelOf('http://10.0.0.5:8080'), null);
  assert.equal(tunnelOf('https://web.tunnel.invalid'), null);
});
