// Fixture validation: the demo fixture loads, and every problem is reported at once with its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FIXTURE } from './cli.ts';
import { EmulatorError } from './errors.ts';
import { loadFixture, parseFixture } from './fixture.ts';

const base = {
  tenantId: '11111111-1111-1111-1111-111111111111',
  tenantName: 'contoso.onmicrosoft.com',
  clients: [{ clientId: '22222222-2222-2222-2222-222222222222', clientSecret: 'dev-secret-change-me' }],
};

test('the demo fixture is valid and has the documented cast', async () => {
  const f = await loadFixture(DEFAULT_FIXTURE);
  assert.equal(f.overageThreshold, 5);
  assert.deepEqual(f.users.map((u) => u.userPrincipalName.split('@')[0]), ['alice', 'bob', 'carol', 'dave', 'erin']);
  assert.equal(f.users.find((u) => u.userPrincipalName.startsWith('dave'))?.accountEnabled, false);
  assert.equal(f.conditionalAccessPolicies[0]?.authContext, 'c1');
});

test('every problem is reported at once with its path', () => {
  const bad = {
    ...base,
    extra: true,
    users: [{ id: 'nope', userPrincipalName: 'alice@contoso.com', displayName: 'A', password: 'x' }],
    groups: [{ id: '33333333-3333-3333-3333-333333333333', displayName: 'G', members: ['ghost@contoso.com'] }],
  };
  try {
    parseFixture(bad);
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof EmulatorError);
    assert.equal(err.code, 'fixture_invalid');
    assert.ok(err.details.some((d) => d.startsWith('users[0].id:')), err.message);
    assert.ok(err.details.some((d) => /unrecognized key/i.test(d) && d.includes('extra')), err.message);
  }
});

test('cross references are checked: unknown members, duplicate ids, unknown contexts', () => {
  const bad = {
    ...base,
    users: [
      { id: '44444444-4444-4444-4444-444444444444', userPrincipalName: 'a@contoso.com', displayName: 'A', password: 'x' },
      { id: '44444444-4444-4444-4444-444444444444', userPrincipalName: 'b@contoso.com', displayName: 'B', password: 'x' },
    ],
    groups: [{ id: '33333333-3333-3333-3333-333333333333', displayName: 'G', members: ['a@contoso.com', 'Enginering'] }],
    conditionalAccessPolicies: [{ name: 'P', authContext: 'c9' }],
  };
  assert.throws(() => parseFixture(bad), (err) => {
    assert.ok(err instanceof EmulatorError);
    assert.deepEqual(err.details, [
      'users[1].id: duplicate "44444444-4444-4444-4444-444444444444" (first used at users[0].id)',
      'groups[0].members[1]: unknown member "Enginering"',
      'conditionalAccessPolicies[0].authContext: unknown authentication context "c9"',
    ]);
    return true;
  });
});

test('unreadable and non-YAML files have their own codes', async () => {
  await assert.rejects(loadFixture('/nonexistent/fixture.yaml'), (e) => e instanceof EmulatorError && e.code === 'fixture_unreadable');
  const dir = await mkdtemp(join(tmpdir(), 'entra-fixture-'));
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'tenantId: [unclosed');
  await assert.rejects(loadFixture(file), (e) => e instanceof EmulatorError && e.code === 'fixture_invalid');
});
