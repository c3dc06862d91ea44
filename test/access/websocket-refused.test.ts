// Hardening issue, item 1: a WebSocket upgrade the origin refuses must not leave a raw tunnel
// behind. Driven over raw sockets and judged by what the origin received: after a refused upgrade,
// a second request written on the same connection must never reach the origin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../harness/ports.ts';
import { sessionFor, type Stack } from '../harness/stack.ts';
import { RawClient } from '../harness/raw-client.ts';
import { startRawStack, type RawStack } from '../harness/raw-stack.ts';
import { STAFF_ONLY, upgradeHead, type RawOrigin } from '../fakes/raw-origin.ts';

describe('WebSocket upgrades the origin refuses', () => {
  let rs: RawStack;
  let s: Stack;
  let origin: RawOrigin;
  let host: string;
  let cookie: string;
  before(async () => {
    const nobody = await freePort();
    rs = await startRawStack((url) => [
      { id: 'raw', hosts: ['raw.localtest.me'], upstream: url, identityHeaders: { email: 'x-remote-user' }, policies: STAFF_ONLY },
      { id: 'gone', hosts: ['gone.localtest.me'], upstream: `http://127.0.0.1:${nobody}`, policies: STAFF_ONLY },
    ]);
    ({ s, origin } = rs);
    host = `raw.localtest.me:${s.port}`;
    cookie = `moatless_session=${await sessionFor(s, 'alice@contoso.com', 'raw')}`;
  });
  after(() => rs.close());

  const upgrade = (path: string) => `${upgradeHead(path, host, cookie)}\r\n`;
  const smuggled = (tag: string) =>
    `GET /smuggled-${tag} HTTP/1.1\r\nHost: payroll.localtest.me\r\nX-Remote-User: ceo@contoso.com\r\n\r\n`;
  const reachedOrigin = (tag: string) => origin.seen.some((r) => r.line.includes(`/smuggled-${tag}`));

  for (const [path, status, bodyText] of [
    ['/426', '426', 'this origin does not speak WebSocket'],
    ['/200', '200', 'not a websocket'],
    ['/403', '403', 'no ws here.'],
  ] as const) {
    test(`a ${status} answer is relayed whole, the connection closes, and a request written after it never reaches the origin`, async () => {
      const tag = `after-${status}`;
      const c = await RawClient.open(s.port);
      c.write(upgrade(path));
      assert.ok(await c.until(() => c.text.includes('here.') || c.text.includes(bodyText)), `no answer: ${JSON.stringify(c.text)}`);
      c.write(smuggled(tag));
      const closed = await c.waitClosed(1500);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(reachedOrigin(tag), false, 'the smuggled request reached the origin');
      assert.ok(closed, 'the proxy closed the connection after relaying the refusal');
      const [head = '', body] = c.text.split('\r\n\r\n');
      assert.match(head, new RegExp(`^HTTP/1.1 ${status} `));
      assert.match(head, /\r\nconnection: close(\r\n|$)/i);
      assert.equal(body, bodyText, 'the body is relayed whole (de-chunked when the origin chunked it)');
      c.destroy();
    });
  }

  test('a request pipelined right behind the upgrade (same write) never reaches the origin either', async () => {
    const c = await RawClient.open(s.port);
    c.write(upgrade('/426') + smuggled('pipelined'));
    assert.ok(await c.until(() => c.text.includes('426')));
    assert.ok(await c.waitClosed());
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reachedOrigin('pipelined'), false);
    c.destroy();
  });

  test('a 101 followed by a close from the origin reaches the client, then the connection closes', async () => {
    const c = await RawClient.open(s.port);
    c.write(upgrade('/101-close'));
    assert.ok(await c.until(() => c.text.includes('\r\n\r\n')));
    assert.match(c.text, /^HTTP\/1.1 101 /);
    assert.ok(await c.waitClosed());
    c.destroy();
  });

  test('bytes the origin sends right behind its 101 headers reach the client; the tunnel then carries both ways', async () => {
    const c = await RawClient.open(s.port);
    c.write(upgrade('/101-extra'));
    assert.ok(await c.until(() => c.text.includes('EXTRA-AFTER-HEADERS')), JSON.stringify(c.text));
    assert.match(c.text, /^HTTP\/1.1 101 [^]*\r\n\r\nEXTRA-AFTER-HEADERS$/);
    c.write('frame-bytes');
    assert.ok(await c.until(() => c.text.endsWith('frame-bytes')), 'the origin echoed through the tunnel');
    const seen = origin.seen.find((r) => r.line.startsWith('GET /101-extra'));
    assert.ok(seen, 'the upgrade reached the origin');
    assert.deepEqual(seen.headers.filter(([n]) => n.toLowerCase() === 'x-remote-user').map(([, v]) => v), ['alice@contoso.com']);
    c.destroy();
  });

  test('an origin that cannot be reached gives the client a 502 with a request id, and the connection closes', async () => {
    const c = await RawClient.open(s.port);
    const gone = `moatless_session=${await sessionFor(s, 'alice@contoso.com', 'gone')}`;
    c.write(upgrade('/').replace(host, `gone.localtest.me:${s.port}`).replace(cookie, gone));
    assert.ok(await c.waitClosed());
    assert.match(c.text, /^HTTP\/1.1 502 [^]*\r\nmoatless-request-id: [0-9a-f-]+\r\n/);
    c.destroy();
  });

  test('an upgrade request that declares a body is refused with 400 and never reaches the origin', async () => {
    const c = await RawClient.open(s.port);
    c.write(upgrade('/101-extra?with-body').replace('\r\n\r\n', '\r\nContent-Length: 40\r\n\r\n') + smuggled('in-body'));
    assert.ok(await c.waitClosed());
    assert.match(c.text, /^HTTP\/1.1 400 /);
    assert.equal(origin.seen.some((r) => r.line.includes('with-body')), false);
    c.destroy();
  });
});
