// Dashboard pages in real Chromium against the seeded server. "Interactive" here means: time from
// navigation start (a full page load, as following a bookmark) until the screen's heading is
// rendered, no loading indicator is shown, no table is aria-busy, and every table on the screen has
// at least one body row — the moment a person can read and click the data. Measured in the page
// (performance.now() on the first animation frame where that holds), so it includes the HTML, the
// bundle, the API calls and rendering. The first visit per page uses an empty cache.
import type { Page } from 'playwright-core';
import { launchChromium } from '../../test/harness/chromium.ts';
import { median } from '../lib/stats.ts';

export const DASHBOARD_PAGES = ['/admin/', '/admin/apps', '/admin/tester', '/admin/users', '/admin/risk', '/admin/logs'];

export interface PageResult { path: string; visits: number[]; coldMs: number; medianMs: number; maxMs: number; goalMs: number }

/** The little of the DOM `interactive` reads (this project's TypeScript has no DOM types). */
interface Node { querySelector(sel: string): Node | null; querySelectorAll(sel: string): Iterable<Node> }

/** Runs in the page (a function, not a string: the dashboard's CSP has no 'unsafe-eval'). */
function interactive(): number | false {
  const doc = (globalThis as unknown as { document: Node }).document;
  const main = doc.querySelector('main');
  if (!main || !main.querySelector('h1')) return false;
  if (doc.querySelector('[role="alert"].error')) return -1;
  if (doc.querySelector('.loading, [aria-busy="true"]')) return false;
  for (const t of main.querySelectorAll('table')) if (!t.querySelector('tbody tr')) return false;
  return performance.now();
}

async function visit(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const h = await page.waitForFunction(interactive, undefined, { polling: 'raf', timeout: 30_000 });
  const ms = (await h.jsonValue()) as number;
  if (ms < 0) throw new Error(`${url} shows an error: ${await page.locator('[role="alert"].error').first().innerText()}`);
  return ms;
}

export async function measureDashboard(o: { authUrl: string; adminSecret: string; visits: number; log: (s: string) => void }): Promise<PageResult[]> {
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const host = new URL(o.authUrl).hostname;
    await ctx.addCookies([{ name: 'moatless_auth', value: o.adminSecret, domain: host, path: '/', httpOnly: true, sameSite: 'Lax' }]);
    const page = await ctx.newPage();
    const out: PageResult[] = [];
    for (const path of DASHBOARD_PAGES) {
      const visits: number[] = [];
      // A fresh context for the first visit of each page: nothing cached, as a new tab after a deploy.
      const cold = await browser.newContext({ viewport: { width: 1366, height: 800 } });
      await cold.addCookies([{ name: 'moatless_auth', value: o.adminSecret, domain: host, path: '/', httpOnly: true, sameSite: 'Lax' }]);
      visits.push(await visit(await cold.newPage(), o.authUrl + path));
      await cold.close();
      for (let i = 1; i < o.visits; i++) visits.push(await visit(page, o.authUrl + path));
      const r = { path, visits, coldMs: visits[0]!, medianMs: median(visits), maxMs: Math.max(...visits), goalMs: 1000 };
      o.log(`    ${path}: cold ${r.coldMs.toFixed(0)} ms, median ${r.medianMs.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms`);
      out.push(r);
    }
    return out;
  } finally {
    await browser.close();
  }
}
