// Latency of the admin API's list endpoints and of /metrics, one request at a time against the
// seeded server: each case draws fresh filter values per request (no answer is cached twice), and
// "walk" cases follow nextCursor page after page, so deep pages are measured the way a client
// reaches them. Request counts are bounded: `samples` per case, `walkPages` per walk.
import { Pool } from 'undici';
import { median } from '../lib/stats.ts';
import { userEmail } from './seed.ts';

export interface LatencyResult { name: string; requests: number; p50Ms: number; p99Ms: number; maxMs: number; rows: number; goalMs: number }

export interface ApiTarget { port: number; authHost: string; adminSecret: string; users: number; apps: string[] }

interface Case { name: string; goalMs: number; path: (i: number) => string }

const fmtDepth = (n: number): string => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(Math.round(n)));

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export async function measureApi(t: ApiTarget, o: { samples: number; walkPages: number; log: (s: string) => void }): Promise<LatencyResult[]> {
  const pool = new Pool(`http://127.0.0.1:${t.port}`, { connections: 1 });
  const get = async (path: string, extra: Record<string, string> = {}): Promise<{ ms: number; body: string }> => {
    const t0 = performance.now();
    const r = await pool.request({ path, method: 'GET', headers: { host: t.authHost, cookie: `moatless_auth=${t.adminSecret}`, ...extra } });
    const body = await r.body.text();
    const ms = performance.now() - t0;
    if (r.statusCode !== 200) throw new Error(`GET ${path}: ${r.statusCode} ${body.slice(0, 300)}`);
    return { ms, body };
  };
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  const app = () => t.apps[rnd(t.apps.length)]!;
  const hour = 3_600_000;
  const now = Date.now();
  const api = '/api/v1';
  const cases: Case[] = [
    { name: 'users: first page', goalMs: 50, path: () => `${api}/directory/users?limit=50` },
    { name: 'users: name search', goalMs: 50, path: () => `${api}/directory/users?limit=50&search=${encodeURIComponent(`user${rnd(t.users)}@`)}` },
    { name: 'groups: first page', goalMs: 50, path: () => `${api}/directory/groups?limit=50` },
    { name: 'groups: name search', goalMs: 50, path: () => `${api}/directory/groups?limit=50&search=${encodeURIComponent(`Team 0${rnd(10)}`)}` },
    { name: 'user detail (groups + sessions)', goalMs: 50, path: () => `${api}/directory/users/_/${'u-' + String(rnd(t.users)).padStart(7, '0')}` },
    { name: 'sessions: first page', goalMs: 50, path: () => `${api}/sessions?limit=50` },
    { name: 'sessions: by email', goalMs: 50, path: () => `${api}/sessions?limit=50&email=${encodeURIComponent(userEmail(rnd(t.users)))}` },
    { name: 'sessions: by app', goalMs: 50, path: () => `${api}/sessions?limit=50&appId=${app()}` },
    { name: 'access log: first page', goalMs: 50, path: () => `${api}/logs/access?limit=50` },
    { name: 'access log: by email', goalMs: 50, path: () => `${api}/logs/access?limit=50&email=${encodeURIComponent(userEmail(rnd(t.users)))}` },
    { name: 'access log: by app', goalMs: 50, path: () => `${api}/logs/access?limit=50&appId=${app()}` },
    { name: 'access log: action=deny', goalMs: 50, path: () => `${api}/logs/access?limit=50&action=deny` },
    { name: 'access log: 1 h window, 3 days ago', goalMs: 50, path: (i) => `${api}/logs/access?limit=50&since=${now - 72 * hour - (i % 24) * hour}&until=${now - 71 * hour - (i % 24) * hour}` },
    { name: 'audit: first page', goalMs: 50, path: () => `${api}/logs/audit?limit=50` },
    { name: 'audit: by actor', goalMs: 50, path: () => `${api}/logs/audit?limit=50&actor=${encodeURIComponent(`user:admin${rnd(5)}@contoso.com`)}` },
    { name: 'risky users: first page', goalMs: 50, path: () => `${api}/risk/users?limit=50` },
    { name: 'risky users: level=high', goalMs: 50, path: () => `${api}/risk/users?limit=50&level=high` },
    { name: 'overview (dashboard charts)', goalMs: 50, path: () => `${api}/overview` },
  ];
  const out: LatencyResult[] = [];
  const summarize = (name: string, goalMs: number, ms: number[], rows: number) => {
    const r = { name, requests: ms.length, p50Ms: median(ms), p99Ms: percentile(ms, 99), maxMs: Math.max(...ms), rows, goalMs };
    o.log(`    ${name}: p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms (${ms.length} requests)`);
    out.push(r);
  };
  try {
    // Resolve the user-detail case's directory once (the list answers it in each item).
    const first = JSON.parse((await get(`${api}/directory/users?limit=1`)).body) as { items: { directoryId: string }[] };
    const dirId = first.items[0]?.directoryId ?? '_';
    for (const c of cases) {
      for (let i = 0; i < 5; i++) await get(c.path(i).replace('/users/_/', `/users/${dirId}/`)); // warm the statement cache
      const ms: number[] = [];
      let rows = 0;
      for (let i = 0; i < o.samples; i++) {
        const r = await get(c.path(i).replace('/users/_/', `/users/${dirId}/`));
        ms.push(r.ms);
        rows += (JSON.parse(r.body) as { items?: unknown[] }).items?.length ?? 0;
      }
      summarize(c.name, c.goalMs, ms, rows);
    }
    // Walks: follow nextCursor at the largest page size (every page is one measured request), then
    // ask for dashboard-sized pages (50) at the cursors of the deeper half of the walk.
    for (const w of [
      { name: 'users', path: `${api}/directory/users` },
      { name: 'groups', path: `${api}/directory/groups` },
      { name: 'sessions', path: `${api}/sessions` },
      { name: 'access log', path: `${api}/logs/access` },
      { name: 'access log by app', path: `${api}/logs/access`, query: `&appId=${t.apps[0]!}` },
      { name: 'audit', path: `${api}/logs/audit` },
    ]) {
      const url = (limit: number, cursor: string | null) => `${w.path}?limit=${limit}${w.query ?? ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const ms: number[] = [];
      const cursors: string[] = [];
      let rows = 0;
      let cursor: string | null = null;
      do {
        const r = await get(url(500, cursor));
        const page = JSON.parse(r.body) as { items: unknown[]; nextCursor: string | null };
        ms.push(r.ms);
        rows += page.items.length;
        cursor = page.nextCursor;
        if (cursor) cursors.push(cursor);
      } while (cursor && ms.length < o.walkPages);
      summarize(`${w.name}: walk ${ms.length} pages of 500`, 50, ms, rows);
      const deep = cursors.slice(Math.floor(cursors.length / 2));
      if (deep.length === 0) continue;
      const deepMs: number[] = [];
      let deepRows = 0;
      for (let i = 0; i < o.samples; i++) {
        const r = await get(url(50, deep[i % deep.length]!));
        deepMs.push(r.ms);
        deepRows += (JSON.parse(r.body) as { items: unknown[] }).items.length;
      }
      summarize(`${w.name}: pages of 50 at depth ${fmtDepth(cursors.length / 2 * 500)}–${fmtDepth(cursors.length * 500)}`, 50, deepMs, deepRows);
    }
    const scrapes: number[] = [];
    let size = 0;
    for (let i = 0; i < Math.max(10, Math.floor(o.samples / 2)); i++) {
      const r = await get('/metrics', { cookie: '' });
      scrapes.push(r.ms);
      size = r.body.length;
    }
    summarize('/metrics scrape', 50, scrapes, size);
  } finally {
    await pool.close();
  }
  return out;
}
