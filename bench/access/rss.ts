// Memory of a Moatless process holding many live sessions: create them in the store, touch every one
// through the HTTP request path (so each sits in SessionService's cache), then read the process's
// RSS from /proc, from outside. Reports the growth per session over the idle process.
import { rssOf } from '../lib/procs.ts';
import { appHost } from './moatless-config.ts';
import { startMoatlessChild } from './moatless-proc.ts';
import { touchAll } from './http-touch.ts';

export interface RssResult {
  sessions: number;
  cached: number;
  rssIdleBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
  bytesPerSession: number;
  createMs: number;
  touchMs: number;
}

export async function measureRss(upstream: string, cookieName: string, sessions: number, log: (s: string) => void): Promise<RssResult> {
  const m = await startMoatlessChild({ apps: 10, upstream, exposeGc: true });
  try {
    await m.ask({ cmd: 'stats' }, 'stats'); // a collection first, so the idle figure is comparable
    const rssIdleBytes = await rssOf(m.pid);
    log(`  creating ${sessions.toLocaleString('en-US')} sessions in the store`);
    const made = await m.ask({ cmd: 'sessions', count: sessions, app: 1, firstUser: 1_000_000 }, 'sessions');
    log(`  touching each through the request path`);
    const t0 = performance.now();
    const failed = await touchAll(m.port, appHost(1), made.secrets.map((s) => `${cookieName}=${s}`));
    const touchMs = performance.now() - t0;
    if (failed > 0) throw new Error(`${failed} of ${sessions} session requests were not 200: broken setup`);
    const stats = await m.ask({ cmd: 'stats' }, 'stats');
    const rssBytes = await rssOf(m.pid);
    return {
      sessions, cached: stats.cacheSize, rssIdleBytes, rssBytes, heapUsedBytes: stats.heapUsed,
      bytesPerSession: (rssBytes - rssIdleBytes) / sessions, createMs: made.ms, touchMs,
    };
  } finally {
    await m.stop();
  }
}
