// The viewer's flows end to end, with two real Chromiums: an unsigned user opening /browser/<URL> signs
// in and lands back in the viewer (and a sign-in cannot be pointed at a foreign page); popups become
// tabs that the toolbar switches between, and a page opening 1,000 popups stays at the tab cap; a
// crashed remote browser shows a Restart button that brings the page back; `moatless isolation
// sessions` lists the session and `--end` ends it; signing out ends it at once. One stack and one
// user browser for the file, run in order (each test continues the user's story).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { startIsolationSite, type IsolationSite } from '../fakes/isolation-site.ts';
import { runMoatless } from '../harness/processes.ts';
import type { Stack } from '../harness/stack.ts';
import { auditTrail, canvasPixel, launchChromium, onCanvas, startIsolationStack, until, waitForFrames, type Isolation } from './harness.ts';

const MAX_TABS = 5;
let stack: Stack;
let iso: () => Isolation;
let site: IsolationSite;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;
const notices: string[] = [];
before(async () => {
  site = await startIsolationSite();
  ({ stack, iso } = await startIsolationStack({ limits: { maxTabs: MAX_TABS }, lifecycle: { grace: '30s' } }));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 900, height: 640 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    if (typeof payload === 'string' && payload.includes('"t":"notice"')) notices.push(String((JSON.parse(payload) as { text: string }).text));
  }));
  dir = mkdtempSync(join(tmpdir(), 'moatless-iso-cli-'));
});
after(async () => {
  await browser?.close();
  await stack?.close();
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const alice = () => iso().manager.list().find((s) => s.user === 'alice@contoso.com');
const pixel = (x: number, y: number) => canvasPixel(page, x, y);
const isColour = (want: number[]) => async () => (await pixel(600, 500)).every((v, i) => Math.abs(v - want[i]!) < 40);
const WHITE = [255, 255, 255];
const GREEN = [0, 160, 0];

/**
 * The viewer's toolbar can still grow after the first frames (seen: 35 px, 1.2 s after the viewer
 * opened). Until the remote browser has the new size, the frame shown is stretched over the new box,
 * and a click lands on the remote point the user sees there (viewer.test.ts) — not the one
 * `onCanvas` computes 1:1: a click meant for remote y 420 went to 447, under the button. Waits until
 * the canvas box has kept its size for 500 ms and the canvas's pixels match it.
 */
async function settledLayout(): Promise<void> {
  const box = () => page.evaluate(() => {
    const c = (globalThis as unknown as { document: { getElementById(id: string): { width: number; height: number; getBoundingClientRect(): { width: number; height: number; top: number } } } }).document.getElementById('screen');
    const r = c.getBoundingClientRect();
    return `${c.width}x${c.height} ${r.width}x${r.height}@${r.top}`;
  });
  let last = await box();
  await until(async () => {
    await new Promise((r) => setTimeout(r, 500));
    const now = await box();
    const same = now === last;
    last = now;
    const [px, css] = now.split(' ');
    return same && px === css!.split('@')[0];
  }, 'the viewer\'s layout to settle');
}

async function clickRemote(x: number, y: number): Promise<void> {
  const at = await onCanvas(page, x, y);
  await page.mouse.click(at.x, at.y);
}

function startStatus(rd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const path = `/oauth2/start?rd=${encodeURIComponent(rd)}`;
    request({ host: '127.0.0.1', port: stack.port, path, headers: { host: new URL(stack.authUrl).host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });
}

test('an unsigned user opening /browser/<URL> signs in and lands back in the viewer; foreign return addresses are refused', async () => {
  const viewer = `${stack.authUrl}/browser/${site.url}`;
  await page.goto(viewer);
  assert.ok(page.url().startsWith(stack.emulator.url), `sent to the identity provider (${page.url()})`);
  await page.fill('input[name=username]', 'alice@contoso.com');
  await page.fill('input[name=password]', 'alice');
  await page.click('button[type=submit]');
  await page.waitForURL(viewer, { timeout: 15_000 });
  await waitForFrames(page);
  await until(() => alice()?.url === site.url, 'the remote browser to open the site');

  // No open redirect: only the auth origin's own viewer (or dashboard) is a return address.
  for (const rd of [`http://evil.localtest.me:${stack.port}/browser/${site.url}`, `${site.url}browser/x`, `${stack.authUrl}/logout`, `${stack.authUrl}/browser-x/`, `http://user@auth.localtest.me:${stack.port}/browser/${site.url}`]) {
    assert.equal(await startStatus(rd), 400, rd);
  }
  assert.equal(await startStatus(viewer), 302, 'the viewer itself is a valid return address');
});

test('popups open as tabs the toolbar switches between; 1,000 popups stay at the tab cap', async () => {
  await until(isColour(WHITE), 'the site on the canvas');
  // White is also the blank page before the site paints: click once the "One popup" button (grey) is
  // on the canvas, as a user would (a click before that landed on nothing: no popup in 10 s).
  await until(async () => (await pixel(60, 410)).every((v) => v > 180 && v < 250), 'the site\'s "One popup" button on the canvas');
  await settledLayout();
  await until(async () => (await pixel(60, 410)).every((v) => v > 180 && v < 250), 'the button again, at the settled size');
  await clickRemote(140, 420);
  // Without settledLayout() about 1 run in 4 clicked while the toolbar had just grown: the viewer
  // sent the click where the stretched frame showed it (remote y 447, under the button), rightly.
  // After it: 0 of 12 runs. Should the layout still move at the click, the click goes once more after
  // 3 s, said on stderr so a rise is visible.
  try {
    await until(() => alice()?.tabs === 2, 'the popup as a second tab', 3_000);
  } catch {
    process.stderr.write('viewer-flows: the first "One popup" click opened nothing in 3 s (the layout moved?); clicking again\n');
    await clickRemote(140, 420);
    await until(() => alice()?.tabs === 2, 'the popup as a second tab');
  }
  await until(isColour(GREEN), 'the popup shown (it takes the screen)');
  await until(async () => await page.locator('#tabs button').count() === 3, 'two tabs and "+" in the toolbar');
  await until(async () => await page.locator('#tabs button').nth(0).textContent() === 'Isolated site', 'the first tab titled by its page');
  await until(async () => await page.locator('#tabs button.active').textContent() === 'Green popup', 'the popup\'s tab active in the toolbar');

  await page.locator('#tabs button').nth(0).click();
  await until(isColour(WHITE), 'the first tab back on the canvas');
  await until(() => alice()?.url === site.url, 'the first tab active');
  await page.locator('#tabs button').nth(1).click();
  await until(isColour(GREEN), 'the popup again');
  await page.locator('#tabs button').nth(0).click();
  await until(isColour(WHITE), 'the first tab again');

  // Each click, 1,000 window.open() calls (Chromium's popup blocker lets at most one per click
  // through; the rest that reach the browser past the cap are closed at once): never more than the cap.
  // (Each popup is the same page and takes the screen, so the next click lands on its button.)
  // Such a click costs the page 2-10 s here (each blocked window.open() is a round trip to the browser
  // process), and a renderer runs the clicks it is sent in turn: the next click waits until the page
  // has run this one and its popup, if one got through, is loaded and shown. Sent on a 0.4 s beat,
  // ~10 of them queued in the renderer, and the click after the flood waited behind them for 20-45 s:
  // past the 30 s below under load (CI's "lost" click: sent to the right tab, still queued there).
  const settled = () => page.evaluate(() => {
    const strip = [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ textContent: string; className: string }> } })
      .document.querySelectorAll('#tabs button')].slice(0, -1);
    return strip.at(-1)?.className === 'active' && strip.every((b) => b.textContent === 'Isolated site' || b.textContent === 'Green popup');
  });
  const seen: number[] = [];
  for (let i = 0, atCap = 0; i < 30 && atCap < 3; i++) {
    const floods = site.floods.length;
    await clickRemote(140, 240);
    await until(async () => site.floods.length > floods && await settled(), `the page done with flood click ${i + 1} and its popup shown (pages that ran one: ${site.floods.join(',')})`, 60_000);
    seen.push(alice()?.tabs ?? 0);
    assert.ok((alice()?.tabs ?? 0) <= MAX_TABS, `tabs after each click: ${seen.join(',')}`);
    if (alice()?.tabs === MAX_TABS) atCap++;
  }
  assert.equal(alice()?.tabs, MAX_TABS, `the cap reached and held (tabs after each click: ${seen.join(',')}; notices: ${notices.join(' | ')})`);
  await page.locator('#tabs button').nth(0).click();
  await until(isColour(WHITE), 'the first tab after the flood');
  // The session still works after the flood: the first click lands. (It used to be lost about 1 run
  // in 8 under load: a popup from a flood click still queued in the renderer started paused, and
  // every page of that renderer dropped input meanwhile. New pages are no longer paused: tabs.ts.)
  // The popups set up late no longer take the screen from the tab picked here either (tabs.ts).
  const clicks = site.clicks.length;
  await clickRemote(100, 70);
  await until(() => site.clicks.length === clicks + 1, 'the site still answering clicks', 30_000);
  // Close the extra tabs (middle-click in the strip) so later tests start from one. What is awaited is
  // the closed tab's own button leaving the strip, not a lower count (a popup still on its way could
  // take a freed place).
  while (await page.locator('#tabs button').count() > 2) {
    const victim = (await page.locator('#tabs button').nth(1).elementHandle())!;
    await victim.click({ button: 'middle' });
    await until(() => victim.evaluate((b) => !(b as unknown as { isConnected: boolean }).isConnected), 'a tab closed');
  }
});

test('a crashed remote browser shows a Restart button that brings the page back', async () => {
  const pid = alice()!.pid!;
  process.kill(pid, 'SIGKILL');
  await page.locator('#restart').waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await page.textContent('#message') ?? '', /The isolated browser stopped/);
  assert.equal(alice()!.state, 'crashed');
  const frames = await page.evaluate(() => (globalThis as unknown as { __frames: number }).__frames);
  await page.click('#restart');
  await until(() => alice()?.state === 'running' && alice()?.pid !== pid, 'a new remote browser', 30_000);
  await waitForFrames(page, frames + 1);
  await until(() => alice()?.url === site.url, 'the page reopened');
  await until(isColour(WHITE), 'the page on the canvas');
  const clicks = site.clicks.length;
  await clickRemote(100, 70);
  await until(() => site.clicks.length === clicks + 1, 'the restarted browser answering clicks');
});

test('`moatless isolation sessions` lists the session; --end ends it and the viewer says so', async () => {
  const storage = stack.config.storage as { kind: string; path?: string };
  const config = join(dir, 'moatless.yaml');
  writeFileSync(config, stringify({
    server: { authUrl: stack.authUrl },
    identityProviders: [{ id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }],
    apps: [{ id: 'wiki', hosts: ['wiki.example.com'], upstream: 'http://127.0.0.1:9', policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] }],
    storage,
  }));
  const id = alice()!.id;
  // The listing reads the store's registry, which a server updates within a tick (1 s) of a change
  // (the session above was just restarted: its row said "about:blank, no viewer" at first).
  const listed = async () => {
    const list = await runMoatless(['isolation', 'sessions', '--json', '--config', config]);
    assert.equal(list.code, 0, list.stderr);
    return list.stdout;
  };
  let out = await listed();
  const shown = (text: string) => (JSON.parse(text) as { id: string; user: string; url: string; viewer: boolean }[])
    .some((r) => r.id === id && r.user === 'alice@contoso.com' && r.viewer && r.url === site.url);
  for (const started = Date.now(); !shown(out) && Date.now() - started < 3_000;) out = await listed();
  assert.ok(shown(out), out);

  const end = await runMoatless(['isolation', 'sessions', '--end', id, '--config', config]);
  assert.equal(end.code, 0, end.stderr);
  await until(() => alice() === undefined, 'the session to end', 15_000);
  await page.locator('#message').filter({ hasText: 'ended by an administrator' }).waitFor({ timeout: 10_000 });
  assert.ok(auditTrail(iso()).some((e) => e.kind === 'session-end' && e.sessionId === id && e.detail === 'ended by an administrator'));
});

test('signing out in the user\'s browser ends the isolation session at once', async () => {
  await page.goto(`${stack.authUrl}/browser/${site.url}`);
  await waitForFrames(page);
  await until(() => alice()?.state === 'running', 'a new session');
  const id = alice()!.id;
  const other = await context.newPage();
  await other.goto(`${stack.authUrl}/logout`);
  await until(() => alice() === undefined, 'the session to end on logout');
  await page.locator('#message').filter({ hasText: 'signed out or revoked (logout)' }).waitFor({ timeout: 10_000 });
  assert.ok(auditTrail(iso()).some((e) => e.kind === 'session-end' && e.sessionId === id && /logout/.test(e.detail ?? '')));
  // And the viewer now goes through a sign-in again (the identity provider still knows her).
  const res = await page.goto(`${stack.authUrl}/browser/${site.url}`);
  const hops: string[] = [];
  for (let r = res!.request().redirectedFrom(); r; r = r.redirectedFrom()) hops.push(r.url());
  assert.ok(hops.some((u) => u.startsWith(`${stack.authUrl}/oauth2/start?`)), hops.join(' ← '));
});
