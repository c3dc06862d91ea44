import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigObject } from './load.ts';
import { editDistance, nearestKey } from './zod-issues.ts';

const base = { server: { authUrl: 'https://auth.example.com' } };
const issuesOf = (raw: unknown): string[] => {
  const r = loadConfigObject(raw, { env: {} });
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

test('the nearest key is suggested only when it is near enough to be a typo', () => {
  assert.equal(editDistance('polices', 'policies'), 1);
  assert.equal(nearestKey('polices', ['policies', 'hosts']), 'policies');
  assert.equal(nearestKey('HOSTS', ['policies', 'hosts']), 'hosts');
  assert.equal(nearestKey('colour', ['name', 'action', 'include']), undefined);
});

test('unknown keys are named at their own path with "did you mean", at any depth', () => {
  assert.deepEqual(issuesOf({ ...base, sesions: {} }), ['sesions: unknown key; did you mean "sessions"?']);
  assert.deepEqual(issuesOf({ ...base, server: { ...base.server, trustedProxy: [] } }),
    ['server.trustedProxy: unknown key; did you mean "trustedProxies"?']);
  const rule = issuesOf({ ...base, ruleGroups: [{ name: 'g', include: [{ gruop: 'Staff' }] }] });
  assert.ok(rule.includes('ruleGroups[0].include[0].gruop: unknown key; did you mean "group"?'), rule.join('\n'));
});

test('zod messages share the lower-case wording; a missing key says so', () => {
  assert.deepEqual(issuesOf({ server: {} }), ['server.authUrl: expected an http:// or https:// URL']);
  const missing = issuesOf({ ...base, serviceTokens: [{ clientId: 'abcdefgh', clientSecret: 'x' }] });
  assert.deepEqual(missing, ['serviceTokens[0].name: missing (expected string)']);
  assert.deepEqual(issuesOf({ ...base, ipLists: [{ name: 'office', ranges: [] }] }), ['ipLists[0].ranges: must not be empty']);
});
