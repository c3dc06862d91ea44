// The multiplexer's bad-input cases over a real WebSocket on 127.0.0.1: a slow reader on one stream
// never stalls another, a flood of streams is refused past the limit, and an oversized or
// malformed frame closes only that connection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { FRAME, INITIAL_WINDOW, MAX_MESSAGE, encode } from './frames.ts';
import { MuxSession } from './session.ts';
import type { TunnelStream } from './stream.ts';

let wss: WebSocketServer;
let port: number;
before(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_MESSAGE });
  await new Promise((r) => wss.once('listening', r));
  port = (wss.address() as AddressInfo).port;
});
after(() => {
  for (const c of wss.clients) c.terminate();
  wss.close();
});

/** An edge session (server side) and the connector's raw socket and session (client side). */
async function pair(maxStreams?: number): Promise<{ edge: MuxSession; conn: MuxSession; accepted: TunnelStream[]; raw: WebSocket }> {
  const accepted: TunnelStream[] = [];
  const edgeWs = new Promise<WebSocket>((r) => wss.once('connection', r));
  const raw = new WebSocket(`ws://127.0.0.1:${port}`, { maxPayload: MAX_MESSAGE });
  await new Promise((r) => raw.once('open', r));
  const conn = new MuxSession(raw, { role: 'connector', onStream: (s) => accepted.push(s), ...(maxStreams ? { maxStreams } : {}) });
  const edge = new MuxSession(await edgeWs, { role: 'edge' });
  return { edge, conn, accepted, raw };
}

const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

test('a reader that never reads holds back only its own stream; another stream still completes', async () => {
  const { edge, conn, accepted } = await pair();
  const slow = await edge.open(1000);
  const fast = await edge.open(1000);
  const [slowFar, fastFar] = accepted;
  // slowFar is never read: the edge may send about one window, then its writes wait.
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; i < 64; i++) { slow.write(chunk); written += chunk.length; }
  let got = 0;
  fastFar!.on('data', (c: Buffer) => (got += c.length));
  const done = new Promise((r) => fastFar!.on('end', r));
  fast.end(Buffer.alloc(4 * 1024 * 1024, 2));
  await done;
  assert.equal(got, 4 * 1024 * 1024);
  await tick();
  assert.ok(slow.writableLength > written - 2 * INITIAL_WINDOW, 'the slow stream is held back by its window');
  assert.ok(slowFar!.readableLength <= INITIAL_WINDOW, `buffered at the slow reader: ${slowFar!.readableLength}`);
  edge.close();
  conn.close();
});

test('a flood of streams past the limit is refused; the connection keeps working', async () => {
  const { edge, conn } = await pair(8);
  const opened = await Promise.allSettled(Array.from({ length: 12 }, () => edge.open(1000)));
  assert.equal(opened.filter((o) => o.status === 'fulfilled').length, 8);
  assert.ok(opened.filter((o) => o.status === 'rejected').every((o) => /too many streams/.test(String((o as PromiseRejectedResult).reason))));
  for (const o of opened) if (o.status === 'fulfilled') o.value.destroy();
  await tick();
  assert.ok(await edge.open(1000), 'streams free again after the others closed');
  edge.close();
  conn.close();
});

test('an oversized frame closes that connection only', async () => {
  const a = await pair();
  const b = await pair();
  const closed = new Promise<string>((r) => a.edge.onClose(r));
  a.raw.send(encode(FRAME.data, 1, Buffer.alloc(MAX_MESSAGE)), { binary: true });
  assert.match(await closed, /1009|Max payload/);
  const s = await b.edge.open(1000);
  assert.ok(s, 'the other connection still opens streams');
  b.edge.close();
  b.conn.close();
});

test('a malformed frame is a protocol error (1002); DATA past the window resets only that stream', async () => {
  const { edge, conn, raw, accepted } = await pair();
  const one = await edge.open(1000);
  const two = await edge.open(1000);
  void accepted;
  const reset = new Promise<Error>((r) => one.once('error', r));
  // The connector side floods stream 1 beyond the window it was granted.
  for (let i = 0; i <= INITIAL_WINDOW / 65536; i++) raw.send(encode(FRAME.data, one.id, Buffer.alloc(65536)), { binary: true });
  assert.match((await reset).message, /window/);
  assert.equal(two.destroyed, false, 'the other stream lives on');
  const closed = new Promise<string>((r) => edge.onClose(r));
  raw.send(Buffer.from([9, 0, 0, 0, 1]), { binary: true });
  assert.match(await closed, /1002|protocol/);
  conn.close();
});
