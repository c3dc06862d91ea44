// Popups and policy, end to end with two real Chromiums: every way a page opens a window on an address
// the policy blocks — window.open, a target=_blank link, a redirect, an about:blank popup its opener
// then sends away, a javascript: popup — is refused before one byte of it reaches that address, and
// audited. (New pages run at once, unpaused, so the check is at the browser level: tabs.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { httpOnly } from '../../src/isolation/manager.ts';
import type { Stack } from '../harness/stack.ts';
import { auditTrail, canvasPixel, launchChromium, onCanvas, openViewer, signIn, startIsolationStack, until, type Isolation } from './harness.ts';

let stack: Stack;
let iso: () => Isolation;
let browser: Browser;
let opener: Server;
let blocked: Server;
const blockedHits: string[] = [];
let BLOCKED = '';
let OPENER = '';

/** Five bands, one per way of opening a window; band i spans y = 100·i … 100·i + 90. */
const CASES = ['open', 'link', 'redirect', 'blank', 'js'] as const;
function openerPage(): string {
  const band = (i: number) => `position:absolute;left:0;top:${i * 100}px;width:600px;height:90px;display:block`;
  const act: Record<(typeof CASES)[number], string> = {
    open: `<button style="${band(0)}" onclick="window.open('${BLOCKED}/open')">open</button>`,
    link: `<a style="${band(1)}" target="_blank" href="${BLOCKED}/link">link</a>`,
    redirect: `<button style="${band(2)}" onclick="window.open('/redirect')">redirect</button>`,
    blank: `<button style="${band(3)}" onclick="const w = window.open('about:blank'); w.location.href = '${BLOCKED}/blank'">blank</button>`,
    js: `<button style="${band(4)}" onclick="window.open('javascript:location.href=\\'${BLOCKED}/js\\'')">js</button>`,
  };
  return `<!doctype html><meta charset="utf-8"><title>Opener</title><body style="margin:0;background:#fff">${CASES.map((c) => act[c]).join('')}`;
}

async function listen(s: Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

before(async () => {
  blocked = createServer((req, res) => { blockedHits.push(req.url ?? ''); res.end('blocked site'); });
  BLOCKED = await listen(blocked);
  opener = createServer((req, res) => {
    if (req.url === '/redirect') return res.writeHead(302, { location: `${BLOCKED}/redirect` }).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(openerPage());
  });
  OPENER = `${await listen(opener)}/`;
  const blockedPort = new URL(BLOCKED).port;
  ({ stack, iso } = await startIsolationStack({ lifecycle: { grace: '1s' } }, {
    checkNavigation: async (user, url) => url.port === blockedPort ? { allow: false, reason: 'blocked by the test policy' } : httpOnly(user, url),
  }));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await stack?.close();
  opener?.close();
  blocked?.close();
});

test('a popup to a blocked address is refused before any byte reaches it, however the page opens it', async () => {
  const user = await signIn(stack, 'grace@contoso.com');
  const { page, context } = await openViewer(browser, stack, user.secret, OPENER);
  const session = () => iso().manager.find(user.userKey);
  await until(() => session()?.url === OPENER, 'the opener page in the remote tab', 20_000);
  await until(async () => (await canvasPixel(page, 700, 300)).every((v) => v > 240), 'the opener on the canvas', 20_000);
  const refused = () => auditTrail(iso()).filter((e) => e.kind === 'navigation-blocked').map((e) => e.url);
  for (const [i, name] of CASES.entries()) {
    const at = await onCanvas(page, 300, i * 100 + 45);
    await page.mouse.click(at.x, at.y);
    await until(() => refused().includes(`${BLOCKED}/${name}`), `the ${name} popup's navigation refused`);
    // The popup stays a tab (showing the refusal); closed from the strip, the opener is back alone.
    await until(() => session()?.remote?.tabCount === 2, `the ${name} popup as a second tab`);
    await until(async () => await page.locator('#tabs button').count() === 3, 'two tabs and "+" in the strip');
    await page.locator('#tabs button').nth(1).click({ button: 'middle' });
    await until(() => session()?.remote?.tabCount === 1 && session()?.url === OPENER, 'the opener alone and active again');
  }
  assert.deepEqual(blockedHits, [], 'nothing reached the blocked address');
  await context.close();
});
