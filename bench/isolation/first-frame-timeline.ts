// Where a first frame's time goes: the user's page (viewer HTML received, viewer.js running, its
// WebSocket open, first frame received and drawn) and the server's session timeline
// (src/isolation/timeline.ts), each as ms after the user's tab started opening /browser/<URL>, on
// one clock (epoch ms: performance.timeOrigin + now() in the page and in this process). The site's
// frame is told apart from earlier (blank) ones by its pixels (user-view.ts watchSite).
import type { Page } from 'playwright-core';
import type { Timeline, TimelineMark } from '../../src/isolation/timeline.ts';
import type { SiteSeen } from './user-view.ts';

/** In order of the path a first frame takes. */
export const STEPS: Array<[string, string]> = [
  ['html', 'viewer HTML received'],
  ['assets', 'viewer.js and .css received'],
  ['script', 'viewer.js running'],
  ['open', 'WebSocket open'],
  ['request', 'server: session requested'],
  ['browser', 'server: browser in hand'],
  ['policy', 'server: policy + remote sign-in'],
  ['ready', 'server: browser attached (CDP)'],
  ['attached', 'server: viewer attached'],
  ['navigate', 'server: navigation sent'],
  ['commit', 'server: navigation committed'],
  ['paint', 'server: remote page\'s first paint'],
  ['frame', 'server: first frame after the commit'],
  ['sent', 'server: that frame sent'],
  ['shown', 'server: first frame sent after the paint'],
  ['first', 'viewer: first frame received (any)'],
  ['arrived', 'viewer: the site\'s frame received'],
  ['drawn', 'viewer: site\'s colour drawn'],
  ['seen', 'bench: colour seen (polling)'],
];

export type Steps = Record<string, number>;

interface PageMarks { origin: number; html: number; assets: number; marks: Record<string, number>; site: SiteSeen | null }

/** Reads the page's side; `seenAt` is when the bench's polling saw the site's colour (epoch ms). */
export async function firstFrameSteps(page: Page, t0Epoch: number, server: Timeline | undefined, seenAt: number): Promise<Steps> {
  const p = await page.evaluate(() => {
    type Entry = { name: string; responseEnd: number };
    const g = globalThis as unknown as {
      performance: { timeOrigin: number; getEntriesByType(t: string): Entry[] }; __marks?: Record<string, number>; __site?: SiteSeen;
    };
    // The viewer's own script and style, when they are separate requests (NaN when inline).
    const assets = g.performance.getEntriesByType('resource').filter((e) => /\/isolation\/viewer\.(js|css)$/.test(e.name)).map((e) => e.responseEnd);
    return {
      origin: g.performance.timeOrigin, html: g.performance.getEntriesByType('navigation')[0]?.responseEnd ?? NaN,
      assets: assets.length ? Math.max(...assets) : NaN, marks: g.__marks ?? {}, site: g.__site ?? null,
    };
  }) as PageMarks;
  const at = (pageMs: number | undefined | null) => (pageMs === undefined || pageMs === null ? NaN : p.origin + pageMs - t0Epoch);
  const site = p.site;
  const out: Steps = {
    html: at(p.html), assets: at(p.assets), script: at(p.marks.script), open: at(p.marks.open), first: at(site?.arrivals[0]),
    // The n-th frame drawn is the n-th received (the viewer draws them in order, each once).
    arrived: at(site?.drawnFrame ? site.arrivals[site.drawnFrame - 1] : null), drawn: at(site?.drawn), seen: seenAt - t0Epoch,
  };
  for (const [k, v] of Object.entries(server?.marks ?? {}) as Array<[TimelineMark, number]>) {
    if (k !== 'cast') out[k] = v - t0Epoch;
  }
  return out;
}
