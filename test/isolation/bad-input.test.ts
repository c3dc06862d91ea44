// Isolation bad input and containment: refused upgrades, DevTools commands and out-of-range
// coordinates from a viewer, oversized and flooding messages, a page opening popups without end, a
// page trying to reach another user's clipboard, a full server — and other users' sessions keep
// running throughout. Then a logout ends the user's session at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startIsolationSite, type IsolationSite } from '../fakes/isolation-site.ts';
import type { Stack } from '../harness/stack.ts';
import { signIn, startIsolationStack, until, within, type Isolation } from './harness.ts';
import { connectRaw, type RawViewer } from './raw-viewer.ts';

let stack: Stack;
let iso: () => Isolation;
let site: IsolationSite;
before(async () => {
  site = await startIsolationSite();
  ({ stack, iso } = await startIsolationStack({ limits: { maxSessions: 2, maxTabs: 3, messagesPerSecond: 50, maxMessageBytes: 4096 } }));
});
after(async () => {
  await stack?.close();
  await site?.close();
});

function getAuthHost(stack: Stack, path: string, secret: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: stack.port, path, headers: { host: new URL(stack.authUrl).host, cookie: `moatless_auth=${secret}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const typedInto = async (v: RawViewer, text: string, paste: boolean) => {
  v.click(120, 175);
  if (paste) v.key('v', 'KeyV', 86, 2);
  v.send({ t: 'text', s: text });
  v.key('Enter', 'Enter', 13);
};

test('bad viewers are contained; another user\'s clipboard is out of reach; a full server blocks', async () => {
  const alice = await signIn(stack, 'alice@contoso.com');
  const bob = await signIn(stack, 'bob@contoso.com');
  await assert.rejects(connectRaw(stack, alice.secret, site.url, { origin: 'http://evil.localtest.me' }), /HTTP 403/);
  await assert.rejects(connectRaw(stack, null, site.url), /HTTP 401/);

  const a = await connectRaw(stack, alice.secret, `${site.url}?alice-clip`);
  const b = await connectRaw(stack, bob.secret, site.url);
  await until(() => a.frames > 0 && b.frames > 0, 'first frames for both users', 30_000);
  const aSession = iso().manager.find(alice.userKey)!;
  await until(() => aSession.url.includes('alice-clip'), 'alice\'s page');

  // A DevTools command is refused with an error; out-of-range coordinates are clamped, not passed on.
  a.send({ method: 'Runtime.evaluate', params: { expression: 'document.body.remove()' } });
  a.send({ t: 'mouse', a: 'down', x: 1e7, y: -1e7, b: 'left' });
  await until(() => a.events.some((e) => e.t === 'error' && String(e.message).includes('message ignored')), 'an error for the command');
  // Protocol-shaped and malformed messages: refused with an error, nothing reaches Chromium.
  const errorsBefore = a.events.filter((e) => e.t === 'error').length;
  a.send({ id: 1, method: 'Target.createTarget', params: { url: 'http://127.0.0.1:9/' } });
  a.send({ t: 'tab', a: 'new', method: 'Target.createTarget' });
  a.send('{"t":"mouse",');
  a.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  await until(() => a.events.filter((e) => e.t === 'error').length >= errorsBefore + 4, 'an error for each bad message');
  assert.ok(a.events.some((e) => e.t === 'error' && e.message === 'upload: no upload in progress'), 'stray binary bytes are not an upload');
  // Addresses other than http(s) are refused before they reach the remote browser.
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'chrome://settings']) a.send({ t: 'nav', url });
  await until(() => a.events.filter((e) => e.t === 'notice' && /Only http:\/\/ and https:\/\//.test(String(e.text))).length === 3, 'three refused addresses');
  assert.equal(iso().manager.find(alice.userKey)!.remote!.tabCount, 1, 'no tab was created');
  assert.ok(aSession.url.includes('alice-clip'), 'still on the same page');
  a.click(100, 70);
  await until(() => site.clicks.length === 1, 'a click after the bad messages still works');

  // Alice's page writes her remote clipboard; she can paste it inside her own remote browser…
  a.click(400, 80);
  await until(() => site.clipboardWrites.includes('alice-clip'), 'alice\'s page to write her remote clipboard');
  await typedInto(a, '!', true);
  await until(() => site.typed.includes('alice-clip!'), 'alice pasting within her remote browser');
  // …but Bob's Ctrl+V, in his own browser process, never sees it.
  await typedInto(b, 'bob', true);
  await until(() => site.typed.includes('bob'), 'bob\'s typing');
  assert.ok(!site.typed.some((t) => t.includes('alice-clip') && t.includes('bob')), JSON.stringify(site.typed));
  assert.notEqual(aSession.remote!.pid, iso().manager.find(bob.userKey)!.remote!.pid, 'one browser process per user');

  // The server is full (two sessions): a third user gets a clear page and no session.
  const carol = await signIn(stack, 'carol@contoso.com');
  const res = await getAuthHost(stack, `/browser/${site.url}`, carol.secret);
  assert.equal(res.status, 503);
  assert.match(res.body, /Isolation capacity reached/);
  await assert.rejects(connectRaw(stack, carol.secret, site.url), /HTTP 503/);
  assert.equal(iso().manager.size, 2);

  // A page opening popups on every click: at most maxTabs tabs, the rest are closed at once.
  const bSession = iso().manager.find(bob.userKey)!;
  const blocked = () => b.events.some((e) => e.t === 'notice' && String(e.text).includes('new tab was blocked'));
  // Each click costs the page 2-10 s (1,000 blocked window.open()) and its renderer runs the clicks
  // in turn: the next click waits until the page has run this one and its popup, if one got through,
  // is loaded and shown. (Clicked every 2 s they queued, and bob's click below waited behind them.)
  const shown = () => {
    const s = b.events.findLast((e) => e.t === 'state') as { tabs: { id: string; title: string }[]; active: string } | undefined;
    return s !== undefined && s.tabs.at(-1)?.id === s.active && s.tabs.every((t) => t.title === 'Isolated site');
  };
  for (let i = 0; i < 10 && !blocked(); i++) {
    const floods = site.floods.length;
    b.click(100, 240);
    await until(() => site.floods.length > floods && shown(), `bob's page done with popup click ${i + 1}`, 60_000);
    assert.ok(bSession.remote!.tabCount <= 3, `tabs: ${bSession.remote!.tabCount}`);
  }
  assert.ok(blocked(), 'a notice about the blocked tab');

  // Oversized message: the connection is closed (1009); the session survives for a reconnect.
  a.send({ t: 'text', s: 'x'.repeat(900) + 'y'.repeat(8000) });
  assert.equal((await a.closed).code, 1009);
  // Flooding: cut off with 1008.
  const a2 = await connectRaw(stack, alice.secret, `${site.url}?alice-clip`);
  for (let i = 0; i < 500; i++) a2.send({ t: 'mouse', a: 'move', x: i % 700, y: 10 });
  assert.equal((await a2.closed).code, 1008);

  // Bob's session kept running through all of it.
  const before = b.frames;
  const clicks = site.clicks.length;
  for (let i = 0; i < 10 && site.clicks.length === clicks; i++) {
    b.click(100, 70);
    await within(() => site.clicks.length > clicks, 500);
  }
  await until(() => site.clicks.length > clicks && b.frames > before, `bob's session to respond (${site.clicks.length - clicks} clicks, ${b.frames - before} frames)`);

  // Logout ends Alice's session at once; Bob's stays.
  await stack.moatless.sessions.revokeFamily(alice.id, 'logout');
  await until(() => iso().manager.find(alice.userKey) === undefined, 'alice\'s session to end');
  assert.ok(iso().manager.find(bob.userKey));
  await stack.moatless.sessions.revokeUsers(['bob@contoso.com'], 'deprovisioned');
  await until(() => iso().manager.find(bob.userKey) === undefined, 'bob\'s session to end on deprovisioning');
  const bClosed = await b.closed;
  assert.equal(bClosed.code, 4001);
  const kinds = (iso().audit as unknown as { recent(): { kind: string; user: string }[] }).recent().map((e) => `${e.kind}:${e.user}`);
  assert.ok(kinds.includes('paste:alice@contoso.com') || kinds.includes('navigate:alice@contoso.com'), kinds.join(' '));
});
