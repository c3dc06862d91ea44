import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ResponseReader } from './proxy-load.ts';

test('responses are read whole, one at a time: Content-Length, chunked, split across packets', async () => {
  const s = new PassThrough();
  const r = new ResponseReader(s);
  const first = r.next();
  s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel');
  s.write('lo');
  assert.equal(await first, 200);
  const second = r.next();
  s.write('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
  let done = false;
  void second.then(() => { done = true; });
  await new Promise((res) => setImmediate(res));
  assert.equal(done, false, 'a chunked body is not over before its zero-size chunk');
  s.write('0\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n');
  assert.equal(await second, 404);
  assert.equal(await r.next(), 204);
});
