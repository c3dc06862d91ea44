// The test network guard refuses non-loopback connections before any packet is sent, and lets
// loopback through. Imported here too, so this file checks the guard even when run on its own.
import './no-network.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createServer } from 'node:http';

test('a connection to a non-loopback address or name throws before dialling', () => {
  for (const host of ['192.0.2.1', '169.254.169.254', 'example.com', '[2001:db8::1]', 'wiki.localtest.me']) { // IPs, and names with no resolver of the caller's (a DNS query)
    assert.throws(() => net.connect({ host, port: 80 }), /test network guard: refused a connection/, host);
  }
  assert.throws(() => net.connect(80, '10.0.0.1'), /test network guard/);
});

test('loopback, localhost and *.localhost connect as usual', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  for (const host of ['127.0.0.1', 'localhost']) {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect({ host, port }, () => { s.destroy(); resolve(); });
      s.on('error', (e: NodeJS.ErrnoException) => (host === 'localhost' && e.code === 'ECONNREFUSED' ? resolve() : reject(e)));
    });
  }
  server.close();
});

test('a name the caller resolves itself is allowed only to loopback addresses', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  // Like src/dev/pinned-fetch.ts: answers the `all` form net asks for when it tries several addresses.
  const pinned = (to: string) => ((_h: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) => {
    if (o.all) cb(null, [{ address: to, family: 4 }]);
    else cb(null, to, 4);
  }) as unknown as net.LookupFunction;
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ host: 'wiki.localtest.me', port, lookup: pinned('127.0.0.1') }, () => { s.destroy(); resolve(); });
    s.on('error', reject);
  });
  const err = await new Promise<Error>((resolve) => {
    net.connect({ host: 'wiki.localtest.me', port, lookup: pinned('192.0.2.1') }).on('error', resolve);
  });
  assert.match(err.message, /test network guard: refused a connection to wiki\.localtest\.me \(192\.0\.2\.1\)/);
  server.close();
});
