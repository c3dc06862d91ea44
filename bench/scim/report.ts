// The SCIM benchmark's results: one record per storage, its table, the goals met or not, and the
// deprovisioning summary. Pure formatting; the goals and their thresholds live here, in one place.
import { fmtInt, fmtMs, fmtRatio, mark, table } from '../lib/table.ts';
import type { DeprovisionTrial } from './deprovision.ts';
import type { LatencySummary } from './latency.ts';
import type { PointResults } from './measure.ts';
import type { PhaseTiming } from './provision.ts';

export interface StorageResult {
  storage: 'sqlite' | 'postgres';
  scale: number;
  counts: { users: number; groups: number; memberships: number; patchChunk: number; concurrency: number };
  phases: { users: PhaseTiming; groups: PhaseTiming; members: PhaseTiming };
  latency: { probe: LatencySummary; postUser: LatencySummary; groupProbe: LatencySummary; postGroup: LatencySummary; patch: LatencySummary };
  points: PointResults;
  rss: { boot: number; midUsers: number; endProvisioning: number; peak: number; end: number };
  deprovision: DeprovisionTrial[];
}

export const GOALS = {
  writesPerSecond: 1_000, writeP99Ms: 20, filterP99Ms: 2,
  /** "costs the same": the 100k-group add's p50 within this factor of the empty group's. */
  addRatio: 1.5,
  /** "memory stays flat": growth from half the users to the end of provisioning. */
  flatRssBytes: 64 * 1024 * 1024,
} as const;

const mb = (b: number): string => `${fmtInt(b / (1024 * 1024))} MB`;
const rate = (p: PhaseTiming, n: number): number => n / p.seconds;

export function writesPerSecond(r: StorageResult): number {
  return rate(r.phases.users, r.phases.users.writes);
}

export function resultTable(r: StorageResult): string {
  const l = r.latency;
  const p = r.points;
  const lat = (name: string, s: LatencySummary) => [name, fmtInt(s.count), fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max)];
  const big = fmtInt(p.bigGroupSize);
  const head = [
    `${r.storage} at scale ${r.scale}: ${fmtInt(r.counts.users)} users, ${fmtInt(r.counts.groups)} groups, ${fmtInt(r.counts.memberships)} memberships (PATCH ${r.counts.patchChunk} members, concurrency ${r.counts.concurrency})`,
    `  users phase   ${r.phases.users.seconds.toFixed(1)} s: ${fmtInt(rate(r.phases.users, r.phases.users.requests))} requests/s, ${fmtInt(writesPerSecond(r))} POST /Users per s (probe + POST per user)`,
    `  groups phase  ${r.phases.groups.seconds.toFixed(1)} s: ${fmtInt(rate(r.phases.groups, r.phases.groups.requests))} requests/s`,
    `  members phase ${r.phases.members.seconds.toFixed(1)} s: ${fmtInt(rate(r.phases.members, r.phases.members.writes))} PATCH/s = ${fmtInt(r.counts.memberships / r.phases.members.seconds)} memberships/s`,
    `  RSS: boot ${mb(r.rss.boot)}, half the users ${mb(r.rss.midUsers)}, end of provisioning ${mb(r.rss.endProvisioning)}, peak ${mb(r.rss.peak)}, end ${mb(r.rss.end)}`,
    '',
  ];
  return head.join('\n') + table(['request (ms)', 'n', 'p50', 'p99', 'max'], [
    lat('GET /Users?filter userName (probe, under load)', l.probe),
    lat('POST /Users (under load)', l.postUser),
    lat('GET /Groups?filter displayName (probe)', l.groupProbe),
    lat('POST /Groups', l.postGroup),
    lat(`PATCH /Groups add ${r.counts.patchChunk} members (under load)`, l.patch),
    lat(`filter userName eq at ${fmtInt(r.counts.users)} users (c1)`, p.filterUserName),
    lat(`filter externalId eq at ${fmtInt(r.counts.users)} users (c1)`, p.filterExternalId),
    lat('PATCH add 1 member to an empty group (c1)', p.addToEmpty),
    lat(`PATCH add 1 member to the ${big}-member group (c1)`, p.addToBig),
  ]);
}

export interface Goal { goal: string; measured: string; met: boolean }

export function goalsOf(r: StorageResult): Goal[] {
  const p = r.points;
  const ratio = p.addToBig.p50 / p.addToEmpty.p50;
  const growth = r.rss.endProvisioning - r.rss.midUsers;
  const leaks = r.deprovision.reduce((n, t) => n + t.allowedAfterResponse, 0);
  return [
    { goal: `≥ ${fmtInt(GOALS.writesPerSecond)} SCIM writes/s (POST /Users)`, measured: fmtInt(writesPerSecond(r)), met: writesPerSecond(r) >= GOALS.writesPerSecond },
    { goal: `POST /Users p99 ≤ ${GOALS.writeP99Ms} ms`, measured: fmtMs(r.latency.postUser.p99), met: r.latency.postUser.p99 <= GOALS.writeP99Ms },
    { goal: `PATCH members p99 ≤ ${GOALS.writeP99Ms} ms`, measured: fmtMs(r.latency.patch.p99), met: r.latency.patch.p99 <= GOALS.writeP99Ms },
    { goal: `filter userName p99 ≤ ${GOALS.filterP99Ms} ms`, measured: fmtMs(p.filterUserName.p99), met: p.filterUserName.p99 <= GOALS.filterP99Ms },
    { goal: `filter externalId p99 ≤ ${GOALS.filterP99Ms} ms`, measured: fmtMs(p.filterExternalId.p99), met: p.filterExternalId.p99 <= GOALS.filterP99Ms },
    { goal: `add 1 member: ${fmtInt(p.bigGroupSize)}-group p50 ≤ ${GOALS.addRatio}× empty`, measured: `${fmtRatio(ratio)} (${fmtMs(p.addToBig.p50)} vs ${fmtMs(p.addToEmpty.p50)} ms)`, met: ratio <= GOALS.addRatio },
    { goal: `RSS flat: growth 2nd half ≤ ${mb(GOALS.flatRssBytes)}`, measured: mb(growth), met: growth <= GOALS.flatRssBytes },
    { goal: 'deprovisioning: 0 requests let through', measured: `${leaks} in ${r.deprovision.length} trials`, met: leaks === 0 },
  ];
}

export function goalsTable(r: StorageResult): string {
  return table([`goal (${r.storage}, scale ${r.scale})`, 'measured', ''], goalsOf(r).map((g) => [g.goal, g.measured, mark(g.met)]));
}

export function deprovisionTable(r: StorageResult): string {
  return table([`deprovisioning trial (${r.storage})`, 'requests', 'PATCH ms', 'allowed after resp.', 'allowed in flight', 'first denied (ms after resp.)'],
    r.deprovision.map((t, i) => [`#${i + 1}`, fmtInt(t.requests), fmtMs(t.patchMs), fmtInt(t.allowedAfterResponse), fmtInt(t.allowedInFlight), fmtMs(t.firstDeniedMs)]));
}
