// The Access throughput section: wrk against (1) the upstream direct, (2) nginx proxy_pass,
// (3) nginx auth_request → Node jose verifier, (4) Moatless with 10 apps and (5) with 10,000 apps,
// on an authenticated session. Configurations interleave round-robin; the report takes medians.
import type { WrkResult } from '../lib/wrk-parse.ts';
import { runWrk } from '../lib/wrk.ts';
import { median, spreadPct } from '../lib/stats.ts';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

export interface Timing {
  warmS: number;
  c50S: number;
  c1S: number;
  rounds: number;
}

export interface Summary {
  name: string;
  conn: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  spreadPct: number;
  non2xx: number;
  runs: WrkResult[];
}

export async function measureAll(wrk: string, targets: Target[], t: Timing, log: (s: string) => void): Promise<Summary[]> {
  const runs = new Map<string, WrkResult[]>();
  const add = (k: string, r: WrkResult) => runs.set(k, [...(runs.get(k) ?? []), r]);
  for (let round = 1; round <= t.rounds; round++) {
    for (const target of targets) {
      log(`  round ${round}/${t.rounds}: ${target.name}`);
      await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.warmS });
      add(`${target.name}|50`, await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.c50S }));
      add(`${target.name}|1`, await runWrk(wrk, { url: target.url, headers: target.headers, connections: 1, seconds: t.c1S }));
    }
  }
  const out: Summary[] = [];
  for (const target of targets) {
    for (const conn of [50, 1]) {
      const rs = runs.get(`${target.name}|${conn}`) ?? [];
      out.push({
        name: target.name, conn, runs: rs,
        rps: median(rs.map((r) => r.rps)), p50Ms: median(rs.map((r) => r.p50Ms)), p99Ms: median(rs.map((r) => r.p99Ms)),
        spreadPct: spreadPct(rs.map((r) => r.rps)),
        non2xx: rs.reduce((n, r) => n + r.non2xx + r.socketErrors.timeout, 0),
      });
    }
  }
  return out;
}
