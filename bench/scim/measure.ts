// Point measurements on the provisioned directory, one request at a time (concurrency 1, so the
// figure is the server's cost, not queueing): filters by userName and externalId at full size, and
// adding one member to an empty group versus to the group holding every user. Must not change the
// directory's shape: what it adds it removes again.
import type { Plan } from './plan.ts';
import { Latencies, type LatencySummary } from './latency.ts';
import { expect, USER_PREFIX, type Provisioned } from './provision.ts';
import { addMembers, entraGroup, entraUser, externalIdOf, filterPath, removeMembers, userNameOf, type ScimClient } from './scim-client.ts';

export interface PointResults {
  filterUserName: LatencySummary;
  filterExternalId: LatencySummary;
  addToEmpty: LatencySummary;
  addToBig: LatencySummary;
  bigGroupSize: number;
}

/** Deterministic pseudo-random indices (an LCG), so every run probes the same users. */
function sampleIndices(n: number, count: number): number[] {
  let x = 12_345;
  return Array.from({ length: count }, () => (x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) % n);
}

async function filterOnce(c: ScimClient, attr: 'userName' | 'externalId', value: string, lat: Latencies): Promise<void> {
  const r = await c.send('GET', filterPath('Users', attr, value));
  expect(r, 200, `filter ${attr}`);
  if ((JSON.parse(r.body) as { totalResults?: unknown }).totalResults !== 1) throw new Error(`filter ${attr} eq "${value}" did not find exactly one user: ${r.body.slice(0, 200)}`);
  lat.add(r.ms);
}

export async function measurePoints(c: ScimClient, plan: Plan, p: Provisioned, o: { samples: number; log: (s: string) => void }): Promise<PointResults> {
  const byName = new Latencies();
  const byExt = new Latencies();
  o.log(`    filters: ${o.samples} by userName, ${o.samples} by externalId`);
  for (const i of sampleIndices(plan.users, o.samples)) {
    await filterOnce(c, 'userName', userNameOf(i, USER_PREFIX), byName);
    await filterOnce(c, 'externalId', externalIdOf(i, USER_PREFIX), byExt);
  }

  // Fresh users that are in no group yet, and a group that stays empty between measurements.
  const extra: string[] = [];
  for (let i = 0; i < o.samples; i++) {
    const r = await c.send('POST', '/Users', entraUser(i, 'x'));
    expect(r, 201, 'POST /Users (extra)');
    extra.push((JSON.parse(r.body) as { id: string }).id);
  }
  const g = await c.send('POST', '/Groups', entraGroup('Bench Empty Group', 'goid-empty'));
  expect(g, 201, 'POST /Groups (empty)');
  const emptyId = (JSON.parse(g.body) as { id: string }).id;
  const bigId = p.groupIds[0]!;
  const toEmpty = new Latencies();
  const toBig = new Latencies();
  o.log(`    add one member: ${o.samples} times to an empty group and to the ${plan.users.toLocaleString('en-US')}-member group, interleaved`);
  for (const [k, id] of extra.entries()) {
    // Alternate which goes first so neither side always runs on a warmer cache.
    const order = k % 2 === 0 ? [[emptyId, toEmpty], [bigId, toBig]] as const : [[bigId, toBig], [emptyId, toEmpty]] as const;
    for (const [groupId, lat] of order) {
      const r = await c.send('PATCH', `/Groups/${groupId}`, addMembers([id]));
      expect(r, 204, 'PATCH add one member');
      lat.add(r.ms);
      expect(await c.send('PATCH', `/Groups/${groupId}`, removeMembers([id])), 204, 'PATCH remove one member');
    }
  }
  return { filterUserName: byName.summary(), filterExternalId: byExt.summary(), addToEmpty: toEmpty.summary(), addToBig: toBig.summary(), bigGroupSize: plan.users };
}
