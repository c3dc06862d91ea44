// The in-memory directory: nesting, cycles, mutation, constant-time password checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Directory } from './directory.ts';
import { EmulatorError } from './errors.ts';

function sample(): Directory {
  const d = new Directory();
  d.addUser({ id: 'u1', userPrincipalName: 'Ann@contoso.com', displayName: 'Ann', password: 'pw' });
  d.addGroup({ id: 'g-eng', displayName: 'Engineering' });
  d.addGroup({ id: 'g-plat', displayName: 'Platform' });
  d.addMember('Engineering', 'Platform');
  d.addMember('g-plat', 'ann@contoso.com');
  return d;
}

test('transitive memberships follow nesting and survive cycles', () => {
  const d = sample();
  d.addMember('Platform', 'Engineering'); // a cycle Entra would allow
  assert.deepEqual(d.memberOf('u1').map((g) => g.displayName), ['Platform']);
  assert.deepEqual(d.transitiveMemberOf('u1').map((g) => g.displayName).sort(), ['Engineering', 'Platform']);
  assert.deepEqual(d.transitiveMembers('g-eng').map((o) => o.kind).sort(), ['group', 'group', 'user']);
});

test('mutations apply at once and unknown objects are unknown_object errors', () => {
  const d = sample();
  assert.equal(d.removeMember('Platform', 'u1'), true);
  assert.deepEqual(d.transitiveMemberOf('u1'), []);
  d.setAccountEnabled('ANN@contoso.com', false);
  d.setCompliantDevice('u1', true);
  assert.equal(d.user('u1')?.accountEnabled, false);
  assert.equal(d.user('u1')?.compliantDevice, true);
  assert.throws(() => d.addMember('Nope', 'u1'), (e) => e instanceof EmulatorError && e.code === 'unknown_object');
});

test('verifyPassword matches exactly and never exposes the password', () => {
  const d = sample();
  assert.equal(d.verifyPassword('ann@contoso.com', 'pw')?.id, 'u1');
  assert.equal(d.verifyPassword('ann@contoso.com', 'pw '), undefined);
  assert.equal(d.verifyPassword('nobody@contoso.com', ''), undefined);
  assert.doesNotMatch(JSON.stringify(d.users()), /"pw"/);
});

test('the membership journal records real changes only, in order', () => {
  const d = sample();
  const start = d.journalPosition();
  d.addMember('Platform', 'u1'); // already a member: no entry
  assert.equal(d.removeMember('Platform', 'u1'), true);
  assert.equal(d.removeMember('Platform', 'u1'), false);
  assert.deepEqual(d.changesBetween(start).map((c) => [c.seq, c.groupId, c.memberId, c.op]), [[start + 1, 'g-plat', 'u1', 'remove']]);
  assert.deepEqual(d.changesBetween(start + 1), []);
});
