// Where a first frame's time goes: the user's page (viewer HTML received, viewer.js running, its
// WebSocket open, first frame received and drawn) and the server's session timeline
// (src/isolation/timeline.ts), each as ms after the user's tab started opening /browser/<URL>, on
// one clock (epoch ms: performance.timeOrigin + now() in the page and in this process).
import type { Page } from 'playwright-core';
import type { Timeline, TimelineMark } from '../../src/isolation/timeline.ts';

/** In order of the path a first frame takes. */
export const STEPS: Array<[string, string]> = [
  ['html', 'viewer HTML received'],
  ['script', 'viewer.js running'],
  ['open', 'WebSocket open'],
  ['request', 'server: session requested'],
  ['browser', 'server: browser in hand'],
  ['policy', 'server: policy + remote sign-in'],
  ['ready', 'server: browser attached (CDP)'],
  ['attached', 'server: viewer attached'],
  ['navigate', 'server: navigation sent'],
  ['commit', 'server: navigation committed'],
  ['frame', 'server: first frame of the site'],
  ['sent', 'server: that frame sent'],
  ['drawn', 'viewer: site\'s colour drawn'],
];

export type Steps = Record<string, number>;

interface PageMarks { origin: number; html: number; marks: Record<string, number> }

/** Reads the page's side; `siteDrawnAt` is when the bench saw the site's colour (epoch ms). */
export async function firstFrameSteps(page: Page, t0Epoch: number, server: Timeline | undefined, siteDrawnAt: number): Promise<Steps> {
  const p = await page.evaluate(() => {
    const g = globalThis as unknown as { performance: { timeOrigin: number; getEntriesByType(t: string): Array<{ responseEnd: number }> }; __marks?: Record<string, number> };
    return { origin: g.performance.timeOrigin, html: g.performance.getEntriesByType('navigation')[0]?.responseEnd ?? NaN, marks: g.__marks ?? {} };
  }) as PageMarks;
  const at = (pageMs: number | undefined) => (pageMs === undefined ? NaN : p.origin + pageMs - t0Epoch);
  const out: Steps = { html: at(p.html), script: at(p.marks.script), open: at(p.marks.open), drawn: siteDrawnAt - t0Epoch };
  for (const [k, v] of Object.entries(server?.marks ?? {}) as Array<[TimelineMark, number]>) {
    if (k !== 'cast') out[k] = v - t0Epoch;
  }
  return out;
}
