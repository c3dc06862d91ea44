// The bulk provisioning run, as Entra's initial cycle does it: per user a filter probe then
// POST /Users; per group a filter probe then an empty POST /Groups; then PATCHes adding members in
// chunks. Owns: the order and concurrency of those requests and checking every answer. Must not:
// retry or skip a failed request — a non-2xx aborts the run (a benchmark of errors is worthless).
import type { Plan } from './plan.ts';
import { patchChunks } from './plan.ts';
import { Latencies } from './latency.ts';
import type { RssSampler } from './server-proc.ts';
import { addMembers, entraGroup, entraUser, filterPath, forEachConcurrent, userNameOf, type ScimClient, type Timed } from './scim-client.ts';

export const USER_PREFIX = 'u';

export interface PhaseTiming { requests: number; writes: number; seconds: number }

export interface Provisioned {
  userIds: string[];
  groupIds: string[];
  lat: { probe: Latencies; postUser: Latencies; groupProbe: Latencies; postGroup: Latencies; patch: Latencies };
  phases: { users: PhaseTiming; groups: PhaseTiming; members: PhaseTiming };
}

export function expect(r: Timed, status: number, what: string): void {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status}: ${r.body.slice(0, 300)}`);
}

const idOf = (r: Timed): string => {
  const id = (JSON.parse(r.body) as { id?: unknown }).id;
  if (typeof id !== 'string') throw new Error(`created resource without an id: ${r.body.slice(0, 200)}`);
  return id;
};

function progress(log: (s: string) => void, label: string, total: number): (done: number) => void {
  const every = Math.max(1, Math.round(total / 10));
  const t0 = performance.now();
  return (done) => {
    if (done % every === 0 || done === total) log(`    ${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };
}

export async function provision(
  c: ScimClient, plan: Plan, o: { concurrency: number; chunk: number; rss: RssSampler; log: (s: string) => void },
): Promise<Provisioned> {
  const lat = { probe: new Latencies(), postUser: new Latencies(), groupProbe: new Latencies(), postGroup: new Latencies(), patch: new Latencies() };
  const userIds = new Array<string>(plan.users);
  const groupIds = new Array<string>(plan.groups);

  o.rss.mark('users');
  let done = 0;
  const tick = progress(o.log, 'users', plan.users);
  let t0 = performance.now();
  await forEachConcurrent(plan.users, o.concurrency, async (i) => {
    const probe = await c.send('GET', filterPath('Users', 'userName', userNameOf(i, USER_PREFIX)));
    expect(probe, 200, 'user probe');
    lat.probe.add(probe.ms);
    const r = await c.send('POST', '/Users', entraUser(i, USER_PREFIX));
    expect(r, 201, 'POST /Users');
    lat.postUser.add(r.ms);
    userIds[i] = idOf(r);
    // The second half of the users is where memory must stay flat: label it for the report.
    if (++done === plan.users >> 1) o.rss.mark('users-2nd-half');
    tick(done);
  });
  const users = { requests: plan.users * 2, writes: plan.users, seconds: (performance.now() - t0) / 1000 };

  o.rss.mark('groups');
  t0 = performance.now();
  await forEachConcurrent(plan.groups, o.concurrency, async (g) => {
    const name = `Bench Group ${String(g).padStart(4, '0')}`;
    const probe = await c.send('GET', filterPath('Groups', 'displayName', name, 'excludedAttributes=members&'));
    expect(probe, 200, 'group probe');
    lat.groupProbe.add(probe.ms);
    const r = await c.send('POST', '/Groups', entraGroup(name, `goid-${g}`));
    expect(r, 201, 'POST /Groups');
    lat.postGroup.add(r.ms);
    groupIds[g] = idOf(r);
  });
  const groups = { requests: plan.groups * 2, writes: plan.groups, seconds: (performance.now() - t0) / 1000 };

  o.rss.mark('members');
  const chunks = patchChunks(plan, o.chunk);
  const tickM = progress(o.log, 'member PATCHes', chunks.length);
  done = 0;
  t0 = performance.now();
  // One PATCH per group in flight, as Entra sends a group's chunks one after another; concurrent
  // PATCHes to one group fail with 412 on PostgreSQL (reported separately, see the final report).
  const inFlight = new Map<number, Promise<void>>();
  await forEachConcurrent(chunks.length, o.concurrency, async (k) => {
    const ch = chunks[k]!;
    const prev = inFlight.get(ch.group) ?? Promise.resolve();
    let release = (): void => undefined;
    inFlight.set(ch.group, new Promise<void>((res) => { release = res; }));
    await prev;
    try {
      await patchOne(ch);
    } finally {
      release();
    }
  });
  async function patchOne(ch: { group: number; users: number[] }): Promise<void> {
    const r = await c.send('PATCH', `/Groups/${groupIds[ch.group]!}`, addMembers(ch.users.map((u) => userIds[u]!)));
    expect(r, 204, 'PATCH /Groups members');
    lat.patch.add(r.ms);
    tickM(++done);
  }
  const members = { requests: chunks.length, writes: chunks.length, seconds: (performance.now() - t0) / 1000 };
  o.rss.mark('measure');
  return { userIds, groupIds, lat, phases: { users, groups, members } };
}
