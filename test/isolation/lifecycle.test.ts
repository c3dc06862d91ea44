// Isolation deadlines against a real remote Chromium (and the viewer's first message, its size, kept
// while the browser starts): a viewer that reconnects within the grace
// period finds its session (same browser, last frame at once), one that stays away loses it after the
// grace period; a session without input ends at the idle timeout (input moves it); a busy session
// still ends at the hard maximum. Each end tells the viewer why, closes it (4001) and is audited.
// Viewers are raw WebSocket clients here (the real viewer page is in viewer-flows.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIsolationSite, type IsolationSite } from '../fakes/isolation-site.ts';
import type { Stack } from '../harness/stack.ts';
import { auditTrail, signIn, startIsolationStack, tickCounter, until, type Isolation } from './harness.ts';
import { connectRaw } from './raw-viewer.ts';

const GRACE = 3000;
const IDLE = 6000;
const MAX = 15_000;
/** The manager checks deadlines once a second. */
const TICK = 1000;

let stack: Stack;
let iso: () => Isolation;
let site: IsolationSite;
/** No pool here (as without an isolating rule); counts the manager's deadline checks. */
const ticks = tickCounter();
before(async () => {
  site = await startIsolationSite();
  ({ stack, iso } = await startIsolationStack({ lifecycle: { grace: `${GRACE}ms`, idle: `${IDLE}ms`, maxDuration: `${MAX}ms` } }, { poolWanted: ticks.poolWanted }));
});
after(async () => {
  await stack?.close();
  await site?.close();
});

const endOf = (sessionId: string) => auditTrail(iso()).find((e) => e.kind === 'session-end' && e.sessionId === sessionId);

test('grace: a viewer back within the grace period gets the same browser and the last frame at once; gone longer, the session ends', async () => {
  const u = await signIn(stack, 'grace@contoso.com');
  const v1 = await connectRaw(stack, u.secret, site.url);
  await until(() => v1.frames > 0, 'the first frame', 30_000);
  const s = iso().manager.find(u.userKey)!;
  const pid = s.remote!.pid;
  // The viewer's size, sent as it connected (while the browser was still starting), was not lost.
  assert.deepEqual({ ...s.remote!.viewport }, { width: 800, height: 600, dpr: 1 });
  v1.ws.close();
  await v1.closed;
  await until(() => s.viewerLeftAt !== null, 'the session to see its viewer leave');
  await ticks.next('a deadline check while the viewer is away');
  assert.ok(Date.now() - s.viewerLeftAt! < GRACE, 'still within the grace period');
  assert.equal(iso().manager.find(u.userKey), s, 'the session outlives the viewer within the grace period');

  const v2 = await connectRaw(stack, u.secret, site.url);
  const back = Date.now();
  await until(() => v2.frames > 0, 'the last frame at once on reconnect', 2000);
  assert.ok(Date.now() - back < 2000);
  assert.equal(iso().manager.find(u.userKey)?.id, s.id, 'the same session');
  assert.equal(s.remote!.pid, pid, 'the same browser');

  v2.ws.close();
  await v2.closed;
  const left = Date.now();
  await until(() => iso().manager.find(u.userKey) === undefined, 'the session to end after the grace period', GRACE + 3 * TICK + 5000);
  const end = endOf(s.id)!;
  assert.equal(end.detail, 'the viewer was closed');
  assert.ok(end.time - left >= GRACE - 50, `ended ${end.time - left} ms after the viewer left`);
});

test('idle: no input for the idle timeout ends the session; input moves the deadline', async () => {
  const u = await signIn(stack, 'idle@contoso.com');
  const v = await connectRaw(stack, u.secret, site.url);
  await until(() => v.frames > 0, 'the first frame', 30_000);
  const s = iso().manager.find(u.userKey)!;
  // Input at every deadline check for 3 s, then none.
  const firstInput = Date.now();
  let lastInput = 0;
  for (let i = 0; ; i++) {
    v.send({ t: 'mouse', a: 'move', x: 10 + i, y: 10 });
    lastInput = Date.now();
    if (lastInput - firstInput >= 3000) break;
    await ticks.next('the next deadline check');
  }
  const closed = await v.closed;
  assert.equal(closed.code, 4001);
  const ended = v.events.find((e) => e.t === 'ended');
  assert.equal(ended?.reason, 'idle');
  const end = endOf(s.id)!;
  assert.equal(end.detail, 'idle');
  assert.ok(end.time - lastInput >= IDLE - 100, `ended ${end.time - lastInput} ms after the last input (idle ${IDLE})`);
  assert.ok(end.time - s.startedAt >= IDLE + 3000, `the input moved the deadline (ended ${end.time - s.startedAt} ms after the start)`);
  assert.equal(iso().manager.find(u.userKey), undefined);
});

test('hard maximum: a session in use still ends at the maximum length', async () => {
  const u = await signIn(stack, 'busy@contoso.com');
  const v = await connectRaw(stack, u.secret, site.url);
  await until(() => v.frames > 0, 'the first frame', 30_000);
  const s = iso().manager.find(u.userKey)!;
  const busy = setInterval(() => v.send({ t: 'mouse', a: 'move', x: 5 + Math.floor(Math.random() * 100), y: 10 }), 700);
  try {
    const closed = await v.closed;
    assert.equal(closed.code, 4001);
  } finally {
    clearInterval(busy);
  }
  assert.equal(v.events.find((e) => e.t === 'ended')?.reason, 'the maximum session length was reached');
  const end = endOf(s.id)!;
  assert.equal(end.detail, 'the maximum session length was reached');
  assert.ok(end.time - s.startedAt >= MAX - 50 && end.time - s.startedAt < MAX + 3 * TICK + 2000, `ended after ${end.time - s.startedAt} ms (max ${MAX})`);
});
