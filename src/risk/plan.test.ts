// The pure plan: levels from state and deletion rules, transitions for full and incremental reads,
// and the removal guard's share and minimum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskUserRow } from '../store/ports.ts';
import { levelOf, planCycle, removalGuard } from './plan.ts';
import type { RiskyUser } from './types.ts';

const rules = { riskStates: ['atRisk', 'confirmedCompromised'], includeDeleted: false };
const u = (id: string, riskLevel: string, riskState = 'atRisk', isDeleted = false): RiskyUser => ({ id, userPrincipalName: `${id}@x`, riskLevel, riskState, isDeleted, riskLastUpdated: 1 });
const row = (id: string, level: RiskUserRow['level']): RiskUserRow => ({ userId: id, userPrincipalName: `${id}@x`, riskLevel: level ?? 'none', riskState: 'atRisk', isDeleted: false, riskLastUpdated: 0, level, updatedAt: 0 });

test('levelOf: counted states at low/medium/high only; hidden, dismissed and deleted users are in no group', () => {
  assert.equal(levelOf(u('a', 'high'), rules), 'high');
  assert.equal(levelOf(u('a', 'hidden'), rules), null);
  assert.equal(levelOf(u('a', 'high', 'dismissed'), rules), null);
  assert.equal(levelOf(u('a', 'high', 'atRisk', true), rules), null);
  assert.equal(levelOf(u('a', 'high', 'atRisk', true), { ...rules, includeDeleted: true }), 'high');
});

test('planCycle: a full read drops users it no longer lists; an incremental one keeps them', () => {
  const known = [row('a', 'high'), row('b', 'low')];
  const full = planCycle(known, [u('a', 'medium')], rules, true, 5);
  assert.deepEqual(full.transitions.map((t) => [t.userId, t.from, t.to]), [['a', 'high', 'medium'], ['b', 'low', null]]);
  assert.deepEqual(full.dropped, ['b']);
  assert.deepEqual(full.counts, { high: 0, medium: 1, low: 0 });
  const inc = planCycle([row('a', 'high')], [u('a', 'medium')], rules, false, 5);
  assert.deepEqual(inc.dropped, []);
  assert.deepEqual(inc.transitions.map((t) => [t.userId, t.from, t.to]), [['a', 'high', 'medium']]);
});

test('removalGuard: trips above the share once the minimum number of removals is reached', () => {
  const limits = { maxRemovalShare: 0.5, removalGuardMinimum: 5 };
  assert.deepEqual(removalGuard({ high: 6, medium: 0, low: 0 }, { high: 10, medium: 0, low: 0 }, limits), ['high: 6 of 10 members']);
  assert.deepEqual(removalGuard({ high: 5, medium: 0, low: 0 }, { high: 10, medium: 0, low: 0 }, limits), []);
  assert.deepEqual(removalGuard({ high: 1, medium: 0, low: 0 }, { high: 1, medium: 0, low: 0 }, limits), [], 'one dismissal in a group of one is ordinary');
});
