// DESIGN.md story 3, end to end with two real Chromiums (the user's, and the remote one Moatless
// runs): the risk sync (directory output, against the Entra emulator) puts Alice in the high-risk
// group; the Gateway's seed rule "Domain in the wiki AND User Group Names in
// IdentityProtection-RiskyUser-RiskLevel-high → Isolate" then sends her next wiki page to the
// isolation viewer, where the policy's controls hold (paste denied) and its notice says why. The
// remote browser reaches the wiki through the Gateway as Alice (its pass, already isolated) and is
// signed in as her; Block rules still apply inside it. The site's DOM never reaches her page. When
// the risk is dismissed her isolation ends and she lands on the wiki directly.
// (A second user's session cannot read the first one's clipboard: test/isolation/bad-input.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createProvisioningClient } from '../../src/dev/entra/provisioning/index.ts';
import { pinnedFetch } from '../../src/dev/pinned-fetch.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { combineMounts, isolationWiring } from '../../src/cli/isolation-wiring.ts';
import { SECRET, startIsolationSite, type IsolationSite } from '../fakes/isolation-site.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { canvasPixel, launchChromium, onCanvas, until, userPageText, waitForFrames, type Isolation } from '../isolation/harness.ts';

const HIGH = 'IdentityProtection-RiskyUser-RiskLevel-high';
const INTERVAL_MS = 1000;

let s: Stack;
let site: IsolationSite;
let iso: Isolation | null = null;
let browser: Browser;

before(async () => {
  site = await startIsolationSite();
  const dir = directoryWiring();
  const isolation = isolationWiring({ onBuilt: (b) => { iso = b; } });
  s = await startStack({
    compose: {
      ...dir, mounts: combineMounts(dir.mounts, isolation.mounts),
      // The remote browser asks the Gateway for these names; no DNS is involved.
      gateway: { resolver: async (h) => { if (h.endsWith('.localtest.me')) return ['127.0.0.1']; throw new Error(`ENOTFOUND ${h}`); } },
    },
    apps: () => [{
      id: 'wiki', name: 'Wiki', hosts: ['wiki.localtest.me'], upstream: site.url.replace(/\/$/, ''),
      policies: [{ name: 'staff', action: 'allow', include: [{ emailDomain: 'contoso.com' }] }],
    }],
    extra: {
      risk: { identityProvider: 'entra', outputs: ['directory'], directory: 'contoso', interval: `${INTERVAL_MS}ms`, fullReconcile: '10s' },
      gateway: {
        listener: { address: '127.0.0.1:0' },
        rules: [
          {
            name: 'Isolate risky users', action: 'isolate', isolation: { paste: 'deny', copy: 'deny' },
            when: { and: [{ domain: { in: ['wiki.localtest.me'] } }, { userGroupNames: { in: [HIGH] } }] },
          },
          { name: 'No admin pages', action: 'block', when: { and: [{ domain: { is: 'wiki.localtest.me' } }, { path: { matches: '^/admin' } }] } },
        ],
      },
      isolation: { lifecycle: { grace: '5s' } },
    },
  });
  // Entra's provisioning carries the users over SCIM: only provisioned users can join the risk groups.
  const { token } = await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'contoso', now: Date.now() });
  const provisioning = createProvisioningClient({ directory: s.emulator.directory, token, scimBaseUrl: `${s.authUrl}/scim/v2`, dialect: 'aadOptscim062020', fetch: pinnedFetch('127.0.0.1') });
  if ((await provisioning.runInitialCycle()).errors !== 0) throw new Error('provisioning failed');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await s?.close();
  await site?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${s.wikiUrl}/start`);
  await page.fill('input[name=username]', 'alice@contoso.com');
  await page.fill('input[name=password]', 'alice');
  await page.click('button[type=submit]');
  await page.waitForURL(`${s.wikiUrl}/start`);
}

test('a user raised to high risk is isolated under the policy\'s controls; dismissed, the next navigation goes direct', async (t) => {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 640 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  await signIn(page);
  assert.equal(page.url(), `${s.wikiUrl}/start`, 'not isolated before the risk');

  // Risky sign-in in the emulator → the risk sync (directory output) → the seed rule isolates.
  s.emulator.risky.set('alice@contoso.com', { level: 'high' });
  const raised = Date.now();
  const viewer = `${s.authUrl}/browser/${s.wikiUrl}/`;
  for (let i = 0; !page.url().startsWith(viewer); i++) {
    assert.ok(Date.now() - raised < INTERVAL_MS + 5000, `not isolated within one risk-sync interval (at ${page.url()})`);
    // The group change that makes alice risky ends her session (reauthOnGroupChange), and a revocation
    // cuts the connections of her requests in flight: a navigation caught in that moment gets an empty
    // response, as the user's would, and the next one (a reload) is decided afresh.
    await page.goto(`${s.wikiUrl}/page-${i}`).catch((err: Error) => {
      if (!/net::ERR_(EMPTY_RESPONSE|CONNECTION_RESET|CONNECTION_CLOSED)/.test(err.message)) throw err;
    });
  }
  const isolatedAfter = Date.now() - raised;
  await waitForFrames(page);
  const manager = iso!.manager;
  const session = () => manager.list().find((x) => x.user === 'alice@contoso.com');
  await until(() => Boolean(session()?.url.startsWith(`${s.wikiUrl}/page-`)), 'the remote browser to open the wiki page (through the Gateway, signed in)', 15_000);
  assert.match(await page.textContent('#why') ?? '', /isolated by policy "Isolate risky users" because .*wiki\.localtest\.me.*RiskLevel-high/);

  // The remote page works: a click on its button reaches the site and its result shows on the canvas.
  await until(async () => (await canvasPixel(page, 600, 500)).every((v) => v > 240), 'the white page on the canvas');
  const at = await onCanvas(page, 100, 70);
  await page.mouse.click(at.x, at.y);
  await until(() => site.clicks.length === 1, 'the click to reach the site');
  await until(async () => { const [r, g, b] = await canvasPixel(page, 600, 500); return r! > 200 && g! < 60 && b! < 60; }, 'red pixels on the canvas');

  // Paste is denied by this policy: the device's clipboard text never reaches the remote form.
  const field = await onCanvas(page, 120, 175);
  await page.mouse.click(field.x, field.y);
  await page.evaluate(() => {
    const g = globalThis as unknown as { document: { getElementById(id: string): { dispatchEvent(e: unknown): void } }; DataTransfer: new () => { setData(k: string, v: string): void }; ClipboardEvent: new (t: string, i: unknown) => unknown };
    const dt = new g.DataTransfer();
    dt.setData('text/plain', 'PASTED-FROM-DEVICE');
    g.document.getElementById('keys').dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  await page.keyboard.type('typed');
  await page.keyboard.press('Enter');
  await until(() => site.typed.length > 0, 'the typed text to reach the site');
  assert.ok(site.typed.every((v) => !v.includes('PASTED')), `paste reached the site: ${site.typed.join(',')}`);
  const audit = (iso!.audit as unknown as { recent(): { kind: string; user: string; policy: string }[] }).recent();
  assert.ok(audit.some((e) => e.kind === 'paste-blocked' && e.user === 'alice@contoso.com' && e.policy === 'Isolate risky users'), 'the blocked paste is audited with the policy');

  // Block rules still hold inside the remote browser.
  await page.fill('#address', `${s.wikiUrl}/admin/users`);
  await page.press('#address', 'Enter');
  await until(() => (iso!.audit as unknown as { recent(): { kind: string; url?: string }[] }).recent()
    .some((e) => e.kind === 'navigation-blocked' && e.url === `${s.wikiUrl}/admin/users`), 'the admin page to be blocked in the remote browser');

  // The remote browser's traffic went through the Gateway as Alice, already isolated (allowed, not isolated again).
  await s.moatless.gateway!.log.flush();
  const rows = await s.moatless.store.gateway.log.query({ limit: 500 });
  assert.ok(rows.some((r) => r.email === 'alice@contoso.com' && r.action === 'allow' && r.url.startsWith(`${s.wikiUrl}/page-`) && r.status === 200), 'the remote page came through the Gateway as Alice');
  // Her own browser's request to the Access app was isolated, and logged as such by the Access hook…
  const viaAccess = (r: (typeof rows)[number]) => r.reasons.some((x) => x.startsWith('access.app: '));
  // Exactly one: her own navigation that was redirected (a second would be the remote browser's).
  const isolatedOnApp = rows.filter((r) => r.email === 'alice@contoso.com' && r.action === 'isolate' && viaAccess(r));
  assert.equal(isolatedOnApp.length, 1, `the isolating decision on the Access app is logged once: ${isolatedOnApp.map((r) => r.url).join(', ')}`);
  // …while the remote browser's own traffic through the proxy never was.
  assert.ok(!rows.some((r) => r.email === 'alice@contoso.com' && r.action === 'isolate' && !viaAccess(r)), 'the remote browser was never isolated again');

  const dom = await userPageText(page);
  assert.ok(!dom.includes(SECRET), 'the site\'s text is not in the user page');
  assert.ok(!dom.includes('Press me'), 'the site\'s button label is not in the user page');

  // Risk dismissed: the isolation ends within a sync interval (+ the recheck) and she goes direct.
  s.emulator.risky.set('alice@contoso.com', { level: 'none', state: 'dismissed' });
  const dismissed = Date.now();
  await page.waitForURL((u) => u.href.startsWith(`${s.wikiUrl}/page-`), { timeout: INTERVAL_MS + 10_000 });
  const directAfter = Date.now() - dismissed;
  assert.equal(session(), undefined, 'the isolation session ended');
  assert.ok(!page.url().startsWith(s.authUrl), 'the wiki opens directly');
  assert.match(await page.content(), new RegExp(SECRET), 'the wiki page itself is in her browser now');
  t.diagnostic(`risk raised → isolated after ${isolatedAfter} ms; dismissed → direct after ${directAfter} ms (interval ${INTERVAL_MS} ms)`);
  await ctx.close();
});
