// Ship issue, done-when: the demo story works in a browser with no DNS. The shipped demo config
// (moved to free ports, nothing else changed) runs as a real `moatless serve` process; Chromium
// resolves only *.localhost (to loopback, by itself) and every other name fails. The first URL the
// demo prints is the one to open, and each user in the printed table does what the table says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../harness/chromium.ts';
import { freePort } from '../harness/ports.ts';
import { startMoatlessProcess, type Child } from '../harness/processes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let child: Child;
let browser: Browser;
let wiki: string;
let payroll: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-demo-'));
  const [p, e, w, y, g] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const yaml = readFileSync(join(ROOT, 'demo/moatless.yaml'), 'utf8')
    .replaceAll(':8080', `:${p}`).replaceAll(':8090', `:${e}`).replace('port: 8090', `port: ${e}`)
    .replace('port: 9001', `port: ${w}`).replace('127.0.0.1:3128', `127.0.0.1:${g}`).replace('port: 9002', `port: ${y}`)
    .replaceAll(':9001', `:${w}`).replaceAll(':9002', `:${y}`)
    .replace('../data/moatless.db', join(dir, 'moatless.db'))
    .replace('../dev/entra-fixture.yaml', join(ROOT, 'dev/entra-fixture.yaml'));
  assert.doesNotMatch(yaml, /localtest\.me/, 'the demo needs no public DNS');
  writeFileSync(join(dir, 'moatless.yaml'), yaml);
  const args = ['serve', '--no-watch', '--config', join(dir, 'moatless.yaml')];
  child = await startMoatlessProcess(args, /SCIM provisioning initial cycle/);
  wiki = `http://wiki.localhost:${p}`;
  payroll = `http://payroll.localhost:${p}`;
  browser = await launchChromium({ noDns: true });
});
after(async () => {
  await browser?.close();
  await child?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh browser profile that opens the wiki and signs in as `user` (password = first name). */
async function signInToWiki(user: string): Promise<{ page: Page; done(): Promise<void> }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${wiki}/`);
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', `${user}@contoso.com`);
  await page.fill('input[name=password]', user);
  await page.click('button[type=submit]');
  return { page, done: () => ctx.close() };
}

test('the first URL the demo prints is the wiki, followed by the table of demo users', () => {
  const out = child.output();
  const firstUrl = out.match(/https?:\/\/\S+/)?.[0];
  assert.equal(firstUrl, `${wiki}/`);
  for (const u of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    assert.match(out, new RegExp(`${u}@contoso\\.com +${u} +\\S`));
  }
});

test('alice: the wiki, then payroll after the MFA step-up, all on *.localhost', async () => {
  const { page, done } = await signInToWiki('alice');
  await page.waitForURL(`${wiki}/`);
  assert.match((await page.textContent('body')) ?? '', /x-remote-user: alice@contoso\.com/);
  await page.goto(`${payroll}/`);
  await page.click('button[name=approve]');
  await page.waitForURL(`${payroll}/`);
  assert.match((await page.textContent('h1')) ?? '', /Contoso Payroll/);
  await done();
});

// bob: device not compliant (AADSTS53000); carol: no MFA registered (AADSTS50079), wiki via overage.
for (const [user, code] of [['bob', 'AADSTS53000'], ['carol', 'AADSTS50079']] as const) {
  test(`${user}: the wiki; payroll refused by Conditional Access (${code})`, async () => {
    const { page, done } = await signInToWiki(user);
    // bob is high risk: once the risk sync has put him in the risk group, the wiki opens isolated.
    await page.waitForURL((u) => u.href === `${wiki}/` || u.href.startsWith(`${wiki.replace('wiki.', 'auth.')}/browser/${wiki}/`));
    await page.goto(`${payroll}/`);
    await page.waitForSelector(`text=${code}`);
    await done();
  });
}

test('dave: disabled in Entra, refused at sign-in', async () => {
  const { page, done } = await signInToWiki('dave');
  await page.waitForSelector('text=AADSTS50057');
  await done();
});

test('erin: signs in, then denied by the wiki\'s policy', async () => {
  const { page, done } = await signInToWiki('erin');
  await page.waitForLoadState('networkidle');
  assert.match((await page.textContent('body')) ?? '', /Access denied/);
  await done();
});
