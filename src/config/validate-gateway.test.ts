// Addresses below (10.0.0.0/8, example hosts) are data, never dialled; the network guard is loaded here
// too, so even a run of this file alone cannot reach them.
import '../../test/harness/no-network.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from './load.ts';

const BASE = `
server: { authUrl: "http://auth.localtest.me:8080", listeners: [{ address: "127.0.0.1:8080" }] }
ipLists: [{ name: office, ranges: [10.0.0.0/8] }]
`;

test('gateway: rules are compiled once by the load, with defaults and ipLists', () => {
  const r = loadConfigText(`${BASE}
gateway:
  listener: { address: "127.0.0.1:3128" }
  unidentified: 407
  rules:
    - name: Isolate risky
      action: isolate
      when: { and: [{ domain: { in: [app1.example.com, app2.example.com] } }, { userGroupNames: { in: [IdentityProtection-RiskyUser-RiskLevel-high] } }] }
    - { name: office only, action: block, when: { sourceIp: { notInList: office } } }
`, { env: {} });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  assert.equal(r.config.gateway?.unidentified, '407');
  assert.equal(r.config.gateway?.dnsCacheTtl, 30_000, 'resolved names are reused for 30 s by default');
  assert.equal(r.config.gatewayPolicies?.defaultAction, 'allow');
  assert.deepEqual(r.config.gatewayPolicies?.rules.map((x) => x.action), ['isolate', 'block']);
});

test('gateway: every problem is reported with its path', () => {
  const r = loadConfigText(`${BASE}
gateway:
  listener: { address: "127.0.0.1:8080" }
  caKeySecret: { env: NOT_SET }
  rules:
    - { name: a, action: doNotInspect, when: { url: { matches: "^https://x/" } } }
    - { name: b, action: block, when: { destinationIp: { inList: nowhere } } }
`, { env: {} });
  assert.equal(r.ok, false);
  const lines = !r.ok ? r.issues.map((i) => `${i.path}: ${i.message}`) : [];
  assert.ok(lines.some((l) => l.startsWith('gateway.caKeySecret:')), lines.join('\n'));
  assert.ok(lines.some((l) => /^gateway\.rules\[0\]\.when: doNotInspect is decided at CONNECT/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^gateway\.rules\[1\]\.when\.destinationIp\.inList: unknown IP list "nowhere"/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^gateway\.listener\.address: 127\.0\.0\.1:8080 is already server\.listeners\[0\]/.test(l)), lines.join('\n'));
});

test('gateway.dnsCacheTtl: a duration; 0 turns the DNS cache off', () => {
  const gateway = (ttl: string) => `gateway: { listener: { address: "127.0.0.1:3128" }, dnsCacheTtl: "${ttl}" }`;
  const load = (ttl: string) => loadConfigText(`${BASE}\n${gateway(ttl)}\n`, { env: {} });
  const off = load('0');
  assert.ok(off.ok && off.config.gateway?.dnsCacheTtl === 0);
  const bad = load('soon');
  assert.ok(!bad.ok && bad.issues.some((i) => i.path === 'gateway.dnsCacheTtl'), JSON.stringify(!bad.ok && bad.issues));
});
