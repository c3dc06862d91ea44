// What the node:http front enforced, held on the lean one (src/access/listener.ts): protected-app
// requests are served by src/http1's ServerConnection, the auth host by node:http through a
// hand-off. Over raw sockets, where a client library would tidy the attack away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { exchange } from '../../src/http1/server-test-kit.ts';
import { freePort } from '../harness/ports.ts';
import { sessionFor, startStack, type Stack } from '../harness/stack.ts';

const status = (text: string) => text.split(/(?=HTTP\/1\.1 \d{3} )/).map((r) => Number(r.slice(9, 12)));

describe('the lean front on a protected host', () => {
  let s: Stack;
  let wiki: string;
  let auth: string;
  let cookie: string;
  before(async () => {
    const port = await freePort();
    s = await startStack({
      port,
      extra: {
        server: {
          listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://auth.localtest.me:${port}`, shutdownGrace: '2s',
          timeouts: { headers: '500ms', idle: '400ms', request: '600ms' },
        },
      },
    });
    wiki = `wiki.localtest.me:${s.port}`;
    auth = `auth.localtest.me:${s.port}`;
    cookie = `moatless_session=${await sessionFor(s, 'alice@contoso.com', 'wiki')}`;
  });
  after(async () => { await s.close(); });

  test('smuggling shapes and a missing Host get 400 and a closed connection; the origin never sees them', async () => {
    const before = s.wiki.seen.length;
    for (const head of [
      `POST / HTTP/1.1\r\nHost: ${wiki}\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
      `POST / HTTP/1.1\r\nHost: ${wiki}\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${wiki}\r\nX-A: 1\r\n  folded\r\n\r\n`,
      'GET / HTTP/1.1\r\nX-A: 1\r\n\r\n',
    ]) {
      const r = await exchange(s.port, [head]);
      assert.deepEqual(status(r.text), [400], head);
      assert.equal(r.closed, true, head);
    }
    assert.equal(s.wiki.seen.length, before);
  });

  test('HEAD is answered without a body, with the origin\'s length', async () => {
    const r = await exchange(s.port, [`HEAD /x HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\n`], { until: (t) => t.includes('\r\n\r\n'), waitMs: 3000 });
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.text, /content-length: \d+\r\n/i);
    assert.ok(r.text.endsWith('\r\n\r\n'), 'no body after the head');
  });

  test('Expect: 100-continue on an app host: 100 Continue, then the body reaches the origin', async () => {
    const text = await new Promise<string>((resolve) => {
      const c = connect(s.port, '127.0.0.1');
      let got = '';
      c.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got === 'HTTP/1.1 100 Continue\r\n\r\n') c.write('hello');
        if (/"bodyBytes":5/.test(got)) { c.destroy(); resolve(got); }
      });
      setTimeout(() => { c.destroy(); resolve(got); }, 3000).unref();
      c.write(`POST /up HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n`);
    });
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });

  test('one keep-alive connection from the app host to the auth host and back: each answered by its side', async () => {
    const heads = [`GET /a HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\n`, `GET /healthz HTTP/1.1\r\nHost: ${auth}\r\n\r\n`, `GET /b HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\n`];
    const text = await new Promise<string>((resolve) => {
      const c = connect(s.port, '127.0.0.1');
      let got = '';
      let answered = 0;
      c.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        const n = status(got).filter((x) => x === 200).length;
        if (n > answered && n < heads.length) c.write(heads[n]!);
        answered = n;
        if (n === heads.length) { c.destroy(); resolve(got); }
      });
      c.on('close', () => resolve(got));
      c.write(heads[0]!);
    });
    assert.deepEqual(status(text), [200, 200, 200]);
    assert.match(text, /"url":"\/a"[^]*\r\n\r\nok\n[^]*"url":"\/b"/);
  });

  test('an auth-host request pipelined right behind an app request: the app answer, then 421 and close', async () => {
    const r = await exchange(s.port, [`GET /a HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\nGET /healthz HTTP/1.1\r\nHost: ${auth}\r\n\r\n`], { waitMs: 3000 });
    assert.deepEqual(status(r.text), [200, 421]);
    assert.equal(r.closed, true);
  });

  test('an idle keep-alive connection is closed timeouts.idle after its last response', async () => {
    const started = Date.now();
    const r = await exchange(s.port, [`GET / HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\n`], { waitMs: 3000 });
    assert.deepEqual(status(r.text), [200]);
    assert.equal(r.closed, true);
    assert.ok(Date.now() - started < 900, `closed after ${Date.now() - started} ms`);
  });

  test('a body not sent whole within timeouts.request: the connection is cut; the origin gets no complete request', async () => {
    const before = s.wiki.seen.length;
    const started = Date.now();
    const r = await exchange(s.port, [`POST /slow HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\nContent-Length: 100\r\n\r\nab`, 'cd', 'ef'], { gapMs: 250, waitMs: 3000 });
    assert.equal(r.closed, true);
    assert.ok(Date.now() - started < 1500);
    assert.equal(s.wiki.seen.slice(before).filter((x) => x.url === '/slow').length, 0);
  });

  test('the access-log entry of a lean request has every field, the client address from the socket', async () => {
    const r = await exchange(s.port, [`GET /logged?q=1 HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\n`], { until: (t) => t.includes('"url"'), waitMs: 3000 });
    const requestId = /moatless-request-id: (\S+)/.exec(r.text)?.[1];
    assert.ok(requestId, r.text);
    let entry;
    for (let i = 0; i < 60 && !entry; i++) {
      entry = (await s.moatless.store.accessLog.query({ limit: 20 })).find((e) => e.requestId === requestId);
      if (!entry) await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(entry, 'the entry reached the store');
    assert.equal(entry.host, wiki);
    assert.equal(entry.path, '/logged');
    assert.equal(entry.method, 'GET');
    assert.equal(entry.appId, 'wiki');
    assert.equal(entry.email, 'alice@contoso.com');
    assert.ok(entry.userKey);
    assert.equal(entry.action, 'allow');
    assert.equal(entry.policy, 'staff');
    assert.equal(entry.status, 200);
    assert.equal(entry.clientIp, '127.0.0.1');
    assert.ok(entry.reasons.length > 0);
    assert.ok(entry.durationMs >= 0 && entry.time > 0);
  });

  test('a request path that throws is denied with 503, never reaches the origin, and the server serves on', async () => {
    const sessions = s.moatless.sessions;
    const real = sessions.resolveSoon;
    const before = s.wiki.seen.length;
    sessions.resolveSoon = () => { throw new Error('store exploded'); };
    let r;
    try {
      r = await exchange(s.port, [`GET /boom HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\n`], { until: (t) => t.includes('</html>'), waitMs: 3000 });
    } finally {
      sessions.resolveSoon = real;
    }
    assert.deepEqual(status(r.text), [503]);
    assert.match(r.text, /moatless-request-id: /);
    assert.equal(s.wiki.seen.length, before);
    const again = await exchange(s.port, [`GET /after HTTP/1.1\r\nHost: ${wiki}\r\nCookie: ${cookie}\r\n\r\n`], { waitMs: 3000 });
    assert.deepEqual(status(again.text), [200]);
  });
});
