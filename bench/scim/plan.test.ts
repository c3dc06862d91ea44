import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { patchChunks, planFor } from './plan.ts';

describe('provisioning plan', () => {
  test('full scale is 100,000 users, 1,000 groups and exactly 1,000,000 memberships, one group holding every user', () => {
    const p = planFor(1);
    assert.deepEqual([p.users, p.groups, p.memberships], [100_000, 1_000, 1_000_000]);
    let total = 0;
    for (let g = 0; g < p.groups; g++) total += p.membersOf(g).length;
    assert.equal(total, 1_000_000);
    assert.equal(p.membersOf(0).length, 100_000);
  });

  test('a group never lists a user twice and only names existing users', () => {
    const p = planFor(0.1);
    for (const g of [0, 1, 57, p.groups - 1]) {
      const m = p.membersOf(g);
      assert.equal(new Set(m).size, m.length);
      assert.ok(m.every((u) => u >= 0 && u < p.users));
    }
  });

  test('chunks cover every membership once, at most `chunk` members each, groups interleaved', () => {
    const p = planFor(0.01);
    const chunks = patchChunks(p, 100);
    assert.equal(chunks.reduce((n, c) => n + c.users.length, 0), p.memberships);
    assert.ok(chunks.every((c) => c.users.length <= 100));
    assert.deepEqual(chunks.slice(0, 3).map((c) => c.group), [0, 1, 2]);
  });

  test('a scale outside 0.01..1 is refused rather than silently clamped', () => {
    assert.throws(() => planFor(0.001), RangeError);
    assert.throws(() => planFor(2), RangeError);
    assert.throws(() => planFor(Number.NaN), RangeError);
  });
});
