// Scenario helpers for isolation tests: a stack with the isolation mounts, a signed-in user's real
// Chromium opening /browser/<URL>, and positions on the viewer's canvas (1:1 with the remote page).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isolationWiring } from '../../src/cli/isolation-wiring.ts';
import type { AuditEvent, buildIsolation, IsolationDeps } from '../../src/isolation/index.ts';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, TENANT, type Stack } from '../harness/stack.ts';

export type Isolation = ReturnType<typeof buildIsolation>;

/** `deps`: ports replaced for the test (e.g. `controlsFor`, the policy each user is isolated under). */
export async function startIsolationStack(isolation: Record<string, unknown> = {}, deps: Partial<IsolationDeps> = {}): Promise<{ stack: Stack; iso: () => Isolation }> {
  let built: Isolation | null = null;
  const stack = await startStack({ compose: isolationWiring({ onBuilt: (b) => { built = b; }, extra: deps }), extra: { isolation } });
  return { stack, iso: () => built! };
}

/** A real global session (the auth host's cookie) for `email`. */
export async function signIn(stack: Stack, email: string): Promise<{ secret: string; id: string; userKey: string }> {
  const identity = { userKey: `${TENANT}:${email}`, email, idp: 'entra', groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {} };
  const g = await stack.moatless.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  return { secret: g.secret, id: g.record.id, userKey: identity.userKey };
}

export interface UserBrowser { context: BrowserContext; page: Page }

/** `beforeOpen`: runs on the fresh page before the viewer loads (e.g. to watch its WebSocket). */
export async function openViewer(browser: Browser, stack: Stack, secret: string, target: string, beforeOpen?: (page: Page) => unknown): Promise<UserBrowser> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 }, deviceScaleFactor: 1 });
  await context.addCookies([{ name: 'moatless_auth', value: secret, url: stack.authUrl }]);
  const page = await context.newPage();
  await beforeOpen?.(page);
  await page.goto(`${stack.authUrl}/browser/${target}`);
  return { context, page };
}

export async function waitForFrames(page: Page, n = 1): Promise<void> {
  // A function, not a string: the viewer's CSP forbids eval.
  await page.waitForFunction((k) => (globalThis as unknown as { __frames: number }).__frames >= k, n, { timeout: 30_000, polling: 20 });
}

/** The viewport point (x, y) of the remote page, on the user's screen. */
export async function onCanvas(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator('#screen').boundingBox())!;
  return { x: box.x + x, y: box.y + y };
}

/** The canvas pixel at remote page point (x, y), as [r, g, b]. */
export function canvasPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(([px, py]) => {
    type Canvas = { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const doc = (globalThis as unknown as { document: { getElementById(id: string): Canvas } }).document;
    return [...doc.getElementById('screen').getContext('2d').getImageData(px!, py!, 1, 1).data.slice(0, 3)];
  }, [x, y]);
}

/** Everything of the user's page a site could have leaked into: markup and rendered text. */
export async function userPageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { outerHTML: string }; body: { innerText: string } } }).document;
    return doc.documentElement.outerHTML + doc.body.innerText;
  });
}

/** The isolation audit trail kept in memory (the JSON log has the same records). */
export function auditTrail(iso: Isolation): readonly AuditEvent[] {
  return (iso.audit as unknown as { recent(): readonly AuditEvent[] }).recent();
}

/** Polls `check` every 25 ms: true as soon as it holds, false once `ms` have passed without it. */
export async function within(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  if (!(await within(check, ms))) throw new Error(`timed out waiting for ${what}`);
}

/**
 * Counts the isolation manager's ticks (deadline checks, once a second): each tick asks whether a
 * pool is wanted (pool.fill), so `wanted` passed as the `poolWanted` dependency reports them.
 * `next()` resolves after the next tick that starts from now.
 */
export function tickCounter(wanted: () => boolean = () => false): { poolWanted: () => boolean; readonly count: number; next(what: string): Promise<void> } {
  let count = 0;
  return {
    poolWanted: () => { count++; return wanted(); },
    get count() { return count; },
    async next(what) {
      const from = count;
      await until(() => count > from, what, 5_000);
    },
  };
}

export { launchChromium };
