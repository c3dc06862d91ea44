// Foundation issue, bad input, over raw sockets where a client library would tidy the attack away:
// duplicate and oversized headers, absolute-form targets, Host tricks, forged JWTs in place of a
// session. Each gets a 4xx or a sign-in redirect — never a pass, never a crash.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { generateKeyPairSync, sign } from 'node:crypto';
import { startStack, type Stack } from '../harness/stack.ts';

function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(text));
    let out = '';
    sock.on('data', (d) => {
      out += d.toString('latin1');
      if (out.includes('\r\n\r\n')) sock.end();
    });
    sock.on('end', () => resolve(out));
    sock.on('error', (e) => (out ? resolve(out) : reject(e)));
    sock.setTimeout(5000, () => { sock.destroy(); resolve(out); });
  });
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if (header['alg'] === 'none') return `${input}.`;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

describe('bad input on the wire', () => {
  let s: Stack;
  let host: string;
  before(async () => {
    s = await startStack();
    host = `wiki.localtest.me:${s.port}`;
  });
  after(async () => { await s.close(); });

  const status = (resp: string) => Number(resp.split(' ')[1]);

  test('two Host headers → 400', async () => {
    assert.equal(status(await raw(s.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\n\r\n`)), 400);
  });
  test('two Cookie headers → 400 (one parser sees one, another the other)', async () => {
    assert.equal(status(await raw(s.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n`)), 400);
  });
  test('Content-Length and Transfer-Encoding together → 400 (request smuggling)', async () => {
    assert.equal(status(await raw(s.port, `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`)), 400);
  });
  test('absolute-form request target → 400', async () => {
    assert.equal(status(await raw(s.port, `GET http://${host}/ HTTP/1.1\r\nHost: ${host}\r\n\r\n`)), 400);
  });
  test('a 64 KiB header → 431', async () => {
    assert.equal(status(await raw(s.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(65_536)}\r\n\r\n`)), 431);
  });
  test('too many headers → 431', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: 1\r\n`).join('');
    assert.equal(status(await raw(s.port, `GET / HTTP/1.1\r\nHost: ${host}\r\n${many}\r\n`)), 431);
  });
  test('Host with a userinfo or path trick → 400', async () => {
    assert.equal(status(await raw(s.port, `GET / HTTP/1.1\r\nHost: evil.example@${host}\r\n\r\n`)), 400);
    assert.equal(status(await raw(s.port, `GET / HTTP/1.1\r\nHost: ${host}/x\r\n\r\n`)), 400);
  });

  const forged: Array<[string, string]> = [
    ['alg none', jwt({ alg: 'none', typ: 'JWT' }, { sub: 'alice', email: 'alice@contoso.com', exp: 9_999_999_999 })],
    ['wrong key', jwt({ alg: 'ES256', typ: 'JWT', kid: 'x' }, { sub: 'alice', email: 'alice@contoso.com', exp: 9_999_999_999 })],
    ['expired', jwt({ alg: 'ES256', typ: 'JWT' }, { sub: 'alice', email: 'alice@contoso.com', exp: 1 })],
    ['wrong audience', jwt({ alg: 'ES256', typ: 'JWT' }, { sub: 'alice', aud: 'someone-else', exp: 9_999_999_999 })],
  ];
  for (const [name, token] of forged) {
    test(`a forged JWT (${name}) as the session cookie (and as the assertion header) gets the user nowhere`, async () => {
      const before = s.wiki.seen.length;
      const r = await s.browser().get(`${s.wikiUrl}/`, { headers: { cookie: `moatless_session=${token}`, 'moatless-jwt-assertion': token } });
      assert.equal(r.status, 302, 'sent to sign in');
      assert.equal(s.wiki.seen.length, before, 'nothing reached the origin');
    });
  }

  test('the server still serves after all of that', async () => {
    assert.equal((await s.browser().get(`${s.wikiUrl}/`)).status, 302);
  });
});

describe('slow clients', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ extra: {} });
  });
  after(async () => { await s.close(); });

  test('a client that never finishes its headers is cut off after timeouts.headers (slowloris)', async () => {
    const { port } = s;
    const started = Date.now();
    let answer = '';
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1', () => sock.write(`GET / HTTP/1.1\r\nHost: wiki.localtest.me:${port}\r\nX-Slow: `));
      sock.on('data', (d) => (answer += d.toString('latin1')));
      sock.on('close', () => resolve(Date.now() - started));
      sock.on('error', () => undefined);
      // Keep dribbling a byte a second, as slowloris does; the server must still give up.
      const drip = setInterval(() => sock.writable && sock.write('a'), 1000);
      sock.on('close', () => clearInterval(drip));
      setTimeout(() => reject(new Error('still open after 15 s')), 15_000).unref();
    });
    assert.ok(closedAfter < 12_000, `closed after ${closedAfter} ms (timeouts.headers is 10 s by default)`);
    assert.ok(closedAfter >= 9_000, `not before the timeout: ${closedAfter} ms`);
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });
});
