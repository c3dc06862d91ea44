// Scenario: the dashboard's operations screens in real Chromium. An admin signs in through the
// Entra emulator and sees the gateway's rules, CA and log, ends a live isolation session (the End
// button reaches the server holding it through the change feed), sees a tunnel, reads risky users
// per level over time as a chart, and searches the provisioning and risk logs.
// Screenshots go to test-artifacts/dashboard/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { END_TOPIC, REGISTRY_NS } from '../../src/isolation/index.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { EMPTY_HEALTH, writeHealth } from '../../src/risk/health.ts';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/dashboard');
const FINANCE = 'a1000000-0000-4000-8000-000000000001';
const HOUR = 3_600_000;

describe('dashboard: gateway, isolation & tunnels, risk over time, more logs', () => {
  let s: Stack;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await startStack({
      apps: (wiki) => [
        { id: 'wiki', hosts: ['wiki.localtest.me'], upstream: wiki, policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] },
        { id: 'lab', hosts: ['lab.localtest.me'], upstream: 'tunnel:lab', policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] },
      ],
      extra: {
        admin: { adminGroups: ['Finance', FINANCE] },
        gateway: {
          listener: { address: '127.0.0.1:0' }, inspect: true,
          rules: [{ name: 'No social', action: 'block', when: { domain: { in: ['facebook.com'] } } }],
        },
      },
    });
    const now = Date.now();
    const st = s.moatless.store;
    await st.gateway.log.append([{
      time: now - 60_000, requestId: 'g1', userKey: null, email: 'bob@contoso.com', groups: [], host: 'facebook.com', url: 'https://facebook.com/feed',
      method: 'GET', action: 'block', policy: 'No social', reasons: ['domain'], status: 403, bytes: 0, isolation: null, clientIp: '10.0.0.5',
    }]);
    await st.kv.set(REGISTRY_NS, 'iso-1', JSON.stringify({
      id: 'iso-1', user: 'bob@contoso.com', startedAt: now - 120_000, lastInputAt: now, state: 'running', url: 'https://wiki.localtest.me/', tabs: 1,
      viewer: true, pid: 1, host: 'edge-1', policy: 'Isolate risky users',
    }), now + HOUR);
    await writeHealth(st.kv, { ...EMPTY_HEALTH, lastSuccessAt: now, counts: { high: 2, medium: 1, low: 0 } });
    await st.directory.risk.appendChanges([
      { time: now - 5 * HOUR, cycleId: 'c1', userId: 'u1', userPrincipalName: 'bob@contoso.com', output: 'level', groupName: null, from: null, to: 'high', reason: 'riskLevel high (atRisk)' },
      { time: now - 2 * HOUR, cycleId: 'c2', userId: 'u2', userPrincipalName: 'carol@contoso.com', output: 'level', groupName: null, from: 'medium', to: 'high', reason: 'riskLevel high (atRisk)' },
    ]);
    const { directory } = await createScimToken(st, { name: 'entra', directoryName: 'contoso', now });
    await st.directory.provisioningLog.append({
      time: now - 30_000, directoryId: directory.id, method: 'POST', path: '/Users', operation: 'createUser', resourceType: 'User',
      resourceId: 'u9', externalId: 'dave@contoso.com', status: 201, error: null, durationMs: 3,
    });
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && m.location().url.startsWith(s.authUrl)) errors.push(`${m.text()} @ ${m.location().url}`);
    });
    await page.goto(`${s.authUrl}/admin/`);
    await page.fill('input[name=username]', 'alice@contoso.com');
    await page.fill('input[name=password]', 'alice');
    await page.click('button[type=submit]');
    await page.waitForURL(`${s.authUrl}/admin/`);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  test('Gateway: rules from moatless.yaml, the CA download and the decision log', async () => {
    await page.getByRole('link', { name: 'Gateway' }).click();
    await page.getByRole('heading', { level: 1, name: 'Secure web gateway' }).waitFor();
    await page.getByRole('cell', { name: 'No social', exact: true }).waitFor();
    await page.getByText('https://facebook.com/feed').waitFor();
    const href = await page.getByRole('link', { name: 'Download the PEM' }).getAttribute('href');
    assert.match(decodeURIComponent(href ?? ''), /BEGIN CERTIFICATE/);
    await shot('gateway');
    // The log's filter form is a search landmark; a decision filtered out leaves, and comes back.
    const filters = page.getByRole('search', { name: 'Filter the gateway log' });
    for (const [action, state] of [['allow', 'detached'], ['block', 'visible']] as const) {
      await filters.getByLabel('Action').selectOption(action);
      await filters.getByRole('button', { name: 'Search' }).click();
      await page.getByText('https://facebook.com/feed').waitFor({ state });
    }
  });

  test('Isolation & tunnels: a live session ends with End (confirmed), and the tunnel shows as down', async () => {
    await page.getByRole('link', { name: 'Isolation & tunnels' }).click();
    await page.getByRole('heading', { level: 1, name: 'Isolation sessions and tunnels' }).waitFor();
    await page.getByRole('cell', { name: 'bob@contoso.com' }).waitFor();
    await page.getByRole('heading', { level: 3, name: /lab/ }).waitFor();
    await page.getByText('Down', { exact: true }).waitFor();
    await shot('operations');
    const heard = new Promise<unknown>((res) => { const off = s.moatless.store.changes.subscribe(END_TOPIC, (p) => { off(); res(p); }); });
    await page.getByRole('button', { name: 'End', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, end it' }).click();
    assert.deepEqual(await heard, { id: 'iso-1' });
    await page.getByText("Ended bob@contoso.com's isolation session").waitFor();
  });

  test('Risk sync: risky users per level over time as a chart', async () => {
    await page.getByRole('link', { name: 'Risk sync' }).click();
    const chart = page.getByRole('img', { name: /Risky users over the last 7 days; now 2 high, 1 medium, 0 low/ });
    await chart.waitFor();
    await shot('risk-history');
  });

  test('Logs: the provisioning and risk logs, searchable and paged on the server', async () => {
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('button', { name: 'Provisioning' }).click();
    await page.getByText('dave@contoso.com').waitFor();
    await page.getByRole('button', { name: 'Risk', exact: true }).click();
    await page.getByRole('cell', { name: 'carol@contoso.com' }).waitFor();
    await page.getByRole('search', { name: 'Filter the risk sync changes' }).getByRole('searchbox', { name: 'User' }).fill('bob@contoso.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: 'carol@contoso.com' }).waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'bob@contoso.com' }).waitFor();
    await shot('logs-risk');
    assert.deepEqual(errors, []);
  });
});
