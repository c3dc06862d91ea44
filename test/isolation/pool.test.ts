// The pool of pre-started browsers: a user whose request finds a warm browser gets that very
// process (already running before they asked: no start on their request) and sees the site's first
// frame without a browser start on their request (how much sooner: bench/isolation.ts); a pooled browser serves one user only and is
// never returned; the pool refills after handing one over. A site's first paint reaches the viewer
// at once, without waiting on the viewer's acks of the blank frames before it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { COLOUR, startPerfPages, type PerfPages } from '../fakes/isolation-pages.ts';
import type { Stack } from '../harness/stack.ts';
import { canvasPixel, launchChromium, openViewer, signIn, startIsolationStack, tickCounter, until, type Isolation } from './harness.ts';

let stack: Stack;
let iso: () => Isolation;
let pages: PerfPages;
let browser: Browser;
// Stands in for "some Gateway rule isolates": without one, no browser is kept warm.
let isolating = false;
const ticks = tickCounter(() => isolating);
before(async () => {
  pages = await startPerfPages();
  ({ stack, iso } = await startIsolationStack({ pool: { size: 1 }, lifecycle: { grace: '1s' } }, { poolWanted: ticks.poolWanted }));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await stack?.close();
  await pages?.close();
});

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const profileOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.startsWith('--user-data-dir='));

/** Opens the colour page for a new user; ms until the site's colour is on their canvas. */
async function firstFrame(email: string): Promise<{ ms: number; pid: number; pooled: boolean | null; close(): Promise<void> }> {
  const u = await signIn(stack, email);
  const t0 = performance.now();
  const { page, context } = await openViewer(browser, stack, u.secret, pages.colour);
  await until(async () => (await canvasPixel(page, 50, 50)).every((v, i) => Math.abs(v - COLOUR[i]!) < 12), `${email}'s first frame of the site`, 20_000);
  const ms = performance.now() - t0;
  const session = iso().manager.find(u.userKey)!;
  return { ms, pid: session.remote!.pid, pooled: session.timeline.pooled, close: () => context.close() };
}

test('no browser is kept warm while no policy can isolate anyone', async () => {
  const pool = iso().manager.pool;
  // Two ticks that asked for a pool and were told none is wanted (the first warms it when wanted).
  await ticks.next('a tick asking for a pool');
  await ticks.next('a second tick asking for a pool');
  assert.equal(pool.held, 0, 'nothing warmed or warming');
  isolating = true;
});

test('a warm browser is handed to one user with no launch on their request, and the pool refills', async (t) => {
  const pool = iso().manager.pool;
  await until(() => pool.ready === 1, 'the pool to warm its browser at start', 20_000);
  const [warmPid] = pool.pids;
  const startedBefore = pool.started;
  // Refills stop for now, so the next user finds the pool empty and starts cold. (The live config:
  // the one the stack was started from is replaced once the store's config layers are applied, and
  // setting the size there used to do nothing — the refill then reached bob.)
  stack.moatless.config().isolation.pool.size = 0;

  const alice = await firstFrame('alice@contoso.com');
  assert.equal(alice.pid, warmPid, 'alice got the browser that was already running before she asked');
  assert.equal(pool.started, startedBefore, 'no browser was started for her request');
  assert.equal(pool.ready, 0, 'the warm browser left the pool');

  const bob = await firstFrame('bob@contoso.com');
  assert.notEqual(bob.pid, warmPid, 'bob did not get alice\'s browser');
  assert.equal(bob.pooled, false, 'bob started cold: no refill while the size is 0');
  assert.notEqual(profileOf(bob.pid), profileOf(alice.pid), 'separate throwaway profiles');
  assert.ok(alive(alice.pid) && alive(bob.pid));
  // How much sooner is the benchmark's to say (bench/isolation.ts): wall-clock order between two
  // single samples flips on a loaded 2-core machine, so it is reported here, not asserted.
  t.diagnostic(`first frame: pooled ${Math.round(alice.ms)} ms, cold ${Math.round(bob.ms)} ms`);

  // Refill: a fresh process, never one that served a user.
  stack.moatless.config().isolation.pool.size = 1;
  await until(() => pool.ready === 1, 'the pool to refill', 20_000);
  const [refill] = pool.pids;
  assert.ok(refill !== alice.pid && refill !== bob.pid, 'the refill is a new browser');

  // Alice leaves: her browser ends with her session and never goes back to the pool.
  await alice.close();
  await until(() => !alive(alice.pid), 'alice\'s browser to exit after the grace period', 10_000);
  assert.ok(!pool.pids.includes(alice.pid));
  const carol = await firstFrame('carol@contoso.com');
  assert.equal(carol.pid, refill, 'carol got the refilled browser');
  assert.ok(carol.pid !== alice.pid && carol.pid !== bob.pid, 'no browser served two users');
  await bob.close();
  await carol.close();
});

test('the site\'s first paint is sent at once, even to a viewer that has not drawn the blank frames before it', async (t) => {
  const u = await signIn(stack, 'dave@contoso.com');
  // The viewer's acks never reach the server, as from a viewer still decoding: the screencast then
  // waits on them (CLIENT_ACK_TIMEOUT_MS, 2 s) for everything but the first paint of a new page.
  const dropAcks = () => {
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
      if (typeof data === 'string' && data.startsWith('{"t":"ack"')) return;
      send.call(this, data);
    };
  };
  // Served 0.5 s late: the viewer is attached and has blank frames in flight before the site paints.
  const { page, context } = await openViewer(browser, stack, u.secret, pages.colourLate, async (p) => { await p.addInitScript(dropAcks); });
  await until(async () => (await canvasPixel(page, 50, 50)).every((v, i) => Math.abs(v - COLOUR[i]!) < 12), 'the site\'s colour on the canvas', 20_000);
  const drawnAt = performance.timeOrigin + performance.now();
  const marks = iso().manager.find(u.userKey)!.timeline.marks;
  t.diagnostic(`ms after the first paint: screencast frame ${Math.round(marks.frame! - marks.paint!)}, drawn ${Math.round(drawnAt - marks.paint!)}`);
  assert.ok(marks.paint !== undefined, 'the remote page\'s first paint was seen');
  // Without the early ack the screencast's frame of that paint waited for the viewer (seen: it had
  // not come when the page-load screenshot, 0.3 s later, or the 2 s ack timeout showed the site).
  assert.ok(marks.frame !== undefined && marks.frame - marks.paint < 1000, 'the screencast sent the first paint itself, at once');
  assert.ok(drawnAt - marks.paint < 2000, `the site was drawn ${Math.round(drawnAt - marks.paint)} ms after it painted`);
  await context.close();
});
