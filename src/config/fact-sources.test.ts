// A selector is refused when nothing in the config feeds its facts: it would compile and never match
// (riskLevel without a risk sync lets high-risk users through an `exclude`). One test per selector.
// Addresses below (10.0.0.0/8, example hosts) are data, never dialled; the network guard is loaded here
// too, so even a run of this file alone cannot reach them.
import '../../test/harness/no-network.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigObject } from './load.ts';

const entra = { id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x' };
const github = { id: 'github', type: 'oidc', issuer: 'https://github.example.com', clientId: 'gh', clientSecret: 'y' };

function config(rule: Record<string, unknown>, over: Record<string, unknown> = {}, app: Record<string, unknown> = {}) {
  return {
    server: { authUrl: 'https://auth.example.com', ...(over['server'] as object) },
    identityProviders: [entra],
    apps: [{ id: 'wiki', hosts: ['wiki.example.com'], upstream: 'http://127.0.0.1:9001', policies: [{ name: 'p', action: 'allow', include: [{ everyone: true }], exclude: [rule] }], ...app }],
    ...over,
  };
}

function issuesOf(raw: unknown): string[] {
  const r = loadConfigObject(raw, { env: {} });
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('selectors need a source of their facts', () => {
  test('riskLevel is refused: no risk sync is configured, so it never matches', () => {
    const issues = issuesOf(config({ riskLevel: 'high' }));
    assert.equal(issues.length, 1, issues.join('\n'));
    assert.match(issues[0]!, /^apps\[0\]\.policies\[0\]\.exclude\[0\]\.riskLevel: riskLevel needs the risk sync \(a risk: section\), which is not configured/);
    assert.match(issues[0]!, /directoryGroup/, 'says what to use instead');
  });

  test('riskLevel is accepted once the risk sync writes to the directory, refused with only the Entra groups output', () => {
    assert.deepEqual(issuesOf(config({ riskLevel: 'high' }, { risk: { identityProvider: 'entra' } })), []);
    const entraOnly = issuesOf(config({ riskLevel: 'high' }, { risk: { identityProvider: 'entra', outputs: ['entraGroups'] } }));
    assert.equal(entraOnly.length, 1, entraOnly.join('\n'));
    assert.match(entraOnly[0]!, /riskLevel needs the risk sync's directory output, and risk\.outputs has only entraGroups/);
  });

  test('country needs server.trustedProxies: the country header is believed only from a trusted proxy', () => {
    const issues = issuesOf(config({ country: 'KP' }));
    assert.equal(issues.length, 1, issues.join('\n'));
    assert.match(issues[0]!, /^apps\[0\]\.policies\[0\]\.exclude\[0\]\.country: country needs a trusted proxy that sets the cf-ipcountry header, and server\.trustedProxies is empty/);
    assert.deepEqual(issuesOf(config({ country: 'KP' }, { server: { authUrl: 'https://auth.example.com', trustedProxies: ['10.0.0.0/8'] } })), []);
  });

  test('authContext needs an Entra sign-in offered by the app', () => {
    assert.deepEqual(issuesOf(config({ authContext: 'c1' })), []);
    const none = issuesOf(config({ authContext: 'c1' }, { identityProviders: [github] }));
    assert.deepEqual(none, ['apps[0].policies[0].exclude[0].authContext: authContext needs an Entra ID sign-in (the acrs claim), and this app offers no identity provider with type: entra']);
    const notOffered = issuesOf(config({ authContext: 'c1' }, { identityProviders: [entra, github] }, { identityProviders: ['github'] }));
    assert.equal(notOffered.length, 1, notOffered.join('\n'));
    assert.match(notOffered[0]!, /this app offers no identity provider with type: entra/);
  });

  test('anyServiceToken needs at least one service token', () => {
    const issues = issuesOf(config({ anyServiceToken: true }));
    assert.deepEqual(issues, ['apps[0].policies[0].exclude[0].anyServiceToken: anyServiceToken needs a service token to present, and the serviceTokens section is empty']);
    assert.deepEqual(issuesOf(config({ anyServiceToken: true }, { serviceTokens: [{ name: 'ci', clientId: 'ci-client-1', clientSecret: 's' }] })), []);
  });

  test('selectors fed by the sign-in, the client address or the SCIM directory are always accepted', () => {
    for (const rule of [{ directoryGroup: 'Staff' }, { group: 'Staff' }, { email: 'a@b.example' }, { emailDomain: 'b.example' },
      { claim: { name: 'dept', value: 'x' } }, { authMethod: 'mfa' }, { loginMethod: 'entra' }, { ipRange: '10.0.0.0/8' }]) {
      assert.deepEqual(issuesOf(config(rule)), [], JSON.stringify(rule));
    }
  });

  test('a rule group using an unfed selector is refused at the group, and its users say why', () => {
    const issues = issuesOf(config({ ruleGroup: 'risky' }, { ruleGroups: [{ name: 'risky', include: [{ riskLevel: ['medium', 'high'] }] }] }));
    assert.ok(issues.some((l) => l.startsWith('ruleGroups[0].include[0].riskLevel: riskLevel needs the risk sync')), issues.join('\n'));
    assert.ok(issues.includes('apps[0].policies[0].exclude[0].ruleGroup: rule group "risky" is invalid (see its own errors)'), issues.join('\n'));
  });

  test('a rule group with authContext is refused where the app offers no Entra sign-in', () => {
    const issues = issuesOf(config({ ruleGroup: 'strong' }, { identityProviders: [entra, github], ruleGroups: [{ name: 'strong', include: [{ authContext: 'c1' }] }] }, { identityProviders: ['github'] }));
    assert.deepEqual(issues, ['apps[0].policies[0].exclude[0].ruleGroup: rule group "strong" uses authContext, which needs an Entra ID sign-in (the acrs claim), and this app offers no identity provider with type: entra']);
  });
});
