// Access's upstream exchange (upstream.ts over src/http1/) against raw TCP origins on 127.0.0.1:
// what the origin receives, what the client gets, and the outcome the access log and metrics read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { UpstreamPools, type UpstreamOutcome } from './upstream.ts';

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

/** An origin calling `onHead(socket, head, nth)` for every request head it reads (bodies not expected unless read by the handler). */
async function origin(onHead: (socket: Socket, head: string, nth: number) => void): Promise<{ port: number; heads: string[]; connections: number; close(): void }> {
  const o = { port: 0, heads: [] as string[], connections: 0, close: () => { server.close(); for (const s of sockets) s.destroy(); } };
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    o.connections++;
    sockets.add(socket);
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        o.heads.push(head);
        onHead(socket, head, o.heads.length);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  o.port = await listen(server);
  return o;
}

/** A front server proxying every request to the origin; outcomes are recorded in order. */
async function front(originPort: number, timeouts = { connectMs: 1000, headersMs: 2000, bodyMs: 2000 }) {
  const pools = new UpstreamPools(timeouts);
  const outcomes: UpstreamOutcome[] = [];
  const server = createServer((req, res) => {
    // What buildUpstreamHeaders hands over, in short: the body's length kept, Host and identity set.
    const headers = ['host', 'app.example', 'x-id', 'alice'];
    if (req.headers['content-length'] !== undefined) headers.push('content-length', req.headers['content-length']);
    if (req.headers.expect !== undefined) headers.push('expect', req.headers.expect);
    void pools.forward(req, res, `http://127.0.0.1:${originPort}`, req.url ?? '/', headers, (status) => {
      res.writeHead(status, { 'content-length': '4' }).end('page');
    }, 'rid-1').then((o) => outcomes.push(o));
  });
  const port = await listen(server);
  const ask = (method: string, path = '/', headers: Record<string, string> = {}, body?: string) => new Promise<{ status: number; headers: IncomingMessage['headers']; body: string; error?: string }>((resolve) => {
    const r = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let b = '';
      res.setEncoding('latin1').on('data', (c: string) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, error: e.message }));
    });
    r.on('error', (e) => resolve({ status: 0, headers: {}, body: '', error: e.message }));
    r.end(body);
  });
  const settled = async (n: number) => { while (outcomes.length < n) await new Promise((r) => setTimeout(r, 5)); };
  return { ask, outcomes, settled, port, close: async () => { await pools.close(); server.close(); server.closeAllConnections(); } };
}

test('request head: the caller\'s fields in one head, Expect not relayed; response: hop-by-hop and Connection-named fields removed, the request id added', async () => {
  const o = await origin((s) => s.write('HTTP/1.1 200 OK\r\nConnection: x-private\r\nX-Private: 1\r\nKeep-Alive: timeout=77\r\nX-App: yes\r\nContent-Length: 2\r\n\r\nok'));
  const f = await front(o.port);
  try {
    const r = await f.ask('POST', '/p?q=1', { expect: '100-continue', 'content-length': '3' }, 'abc');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
    assert.equal(r.headers['x-app'], 'yes');
    assert.equal(r.headers['x-private'], undefined);
    assert.notEqual(r.headers['keep-alive'], 'timeout=77', 'the origin\'s Keep-Alive is not relayed');
    assert.equal(r.headers['moatless-request-id'], 'rid-1');
    const head = o.heads[0]!;
    assert.match(head, /^POST \/p\?q=1 HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nhost: app\.example\r\n/);
    assert.match(head, /\r\nx-id: alice/);
    assert.doesNotMatch(head, /expect/i);
    assert.match(head, /\r\ncontent-length: 3$/);
    await f.settled(1);
    assert.deepEqual(f.outcomes, [{ status: 200 }]);
  } finally {
    await f.close();
    o.close();
  }
});

test('an origin that never answers: 504 after the headers timeout, outcome timeout', async () => {
  const o = await origin(() => {});
  const f = await front(o.port, { connectMs: 1000, headersMs: 300, bodyMs: 2000 });
  try {
    const r = await f.ask('GET');
    assert.equal(r.status, 504);
    await f.settled(1);
    assert.deepEqual(f.outcomes, [{ status: 504, error: 'timeout' }]);
  } finally {
    await f.close();
    o.close();
  }
});

test('nothing listening: 502, outcome connect', async () => {
  const o = await origin(() => {});
  o.close();
  const f = await front(o.port);
  try {
    const r = await f.ask('GET');
    assert.equal(r.status, 502);
    await f.settled(1);
    assert.deepEqual(f.outcomes, [{ status: 502, error: 'connect' }]);
  } finally {
    await f.close();
  }
});

test('the origin cuts a streamed response: the client\'s response is cut too, outcome reset', async () => {
  const o = await origin((s) => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n${'x'.repeat(100_000)}`);
    setTimeout(() => s.destroy(), 50);
  });
  const f = await front(o.port);
  try {
    const r = await f.ask('GET');
    assert.equal(r.status, 200);
    assert.ok(r.error !== undefined || r.body.length < 200_000, 'not a silently short response');
    await f.settled(1);
    assert.deepEqual(f.outcomes, [{ status: 200, error: 'reset' }]);
  } finally {
    await f.close();
    o.close();
  }
});

test('HEAD, 204, 304 and a 103 before the final response; the connection is reused after each', async () => {
  const o = await origin((s, head) => {
    if (head.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n');
    else if (head.includes('/204')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
    else if (head.includes('/304')) s.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
    else s.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal');
  });
  const f = await front(o.port);
  try {
    const h = await f.ask('HEAD');
    assert.equal(h.status, 200);
    assert.equal(h.headers['content-length'], '50');
    assert.equal((await f.ask('GET', '/204')).status, 204);
    assert.equal((await f.ask('GET', '/304')).status, 304);
    const e = await f.ask('GET', '/103');
    assert.equal(e.status, 200);
    assert.equal(e.body, 'final');
    assert.equal(o.connections, 1, 'one upstream connection for all four');
  } finally {
    await f.close();
    o.close();
  }
});

test('a reused connection the origin dropped: a GET is retried on a new one, a POST is not (502)', async () => {
  // The first connection is closed by the origin under its second request, before any response byte.
  const seen = new Map<Socket, number>();
  const o = await origin((s) => {
    const n = (seen.get(s) ?? 0) + 1;
    seen.set(s, n);
    if (seen.size === 1 && n === 2) s.destroy();
    else s.write(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nconn${seen.size}`);
  });
  const f = await front(o.port);
  try {
    assert.equal((await f.ask('GET')).body, 'conn1');
    const r = await f.ask('GET');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'conn2', 'retried on a new connection');
    await f.settled(2);
    assert.deepEqual(f.outcomes, [{ status: 200 }, { status: 200 }]);
  } finally {
    await f.close();
    o.close();
  }
  seen.clear();
  const o2 = await origin((s) => {
    const n = (seen.get(s) ?? 0) + 1;
    seen.set(s, n);
    if (seen.size === 1 && n === 2) s.destroy();
    else s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const f2 = await front(o2.port);
  try {
    assert.equal((await f2.ask('GET')).status, 200);
    assert.equal((await f2.ask('POST', '/', { 'content-length': '0' })).status, 502);
    assert.equal(o2.connections, 1, 'not retried');
    await f2.settled(2);
    assert.deepEqual(f2.outcomes[1], { status: 502, error: 'connect' });
  } finally {
    await f2.close();
    o2.close();
  }
});

test('back-pressure: a client that stops reading stops the origin too (no buffering in Access)', async () => {
  let written = 0;
  let originSocket: Socket | null = null;
  const o = await origin((s) => {
    originSocket = s;
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = () => {
      while (written < 100_000_000) {
        written += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
    };
    pump();
  });
  const f = await front(o.port, { connectMs: 1000, headersMs: 2000, bodyMs: 0 });
  try {
    const r = request({ host: '127.0.0.1', port: f.port, path: '/' });
    r.end();
    const [res] = await once(r, 'response') as [IncomingMessage];
    res.pause();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stalled = written;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(written, stalled, 'the origin is held back while the client does not read');
    assert.ok(written < 20_000_000, `at most socket buffers in flight (${written} bytes)`);
    res.destroy();
    await f.settled(1);
    assert.equal(f.outcomes[0]!.error, 'client_gone');
    assert.ok(originSocket !== null);
  } finally {
    await f.close();
    o.close();
  }
});

test('a client that cuts its upload: outcome client_gone, and the origin\'s connection is not reused', async () => {
  const o = await origin(() => {});
  const f = await front(o.port);
  try {
    const r = request({ host: '127.0.0.1', port: f.port, method: 'POST', path: '/', headers: { 'content-length': '100000' } });
    r.on('error', () => {});
    r.write('x'.repeat(1000));
    while (o.heads.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    r.destroy();
    await f.settled(1);
    assert.equal(f.outcomes[0]!.error, 'client_gone');
  } finally {
    await f.close();
    o.close();
  }
});
