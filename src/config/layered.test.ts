// The file + API objects layering: judged together, API objects that no longer fit are left out
// whole (an app with its policies; a broken policy takes its app), and their problems are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigObjectRecord } from '../store/ports-config.ts';
import { loadLayered, mergeLayers } from './layered.ts';

const FILE = {
  server: { listeners: [{ address: '127.0.0.1:8080' }], authUrl: 'http://auth.localtest.me:8080' },
  identityProviders: [{ id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'moatless', clientSecret: 'x' }],
  apps: [{ id: 'wiki', hosts: ['wiki.localtest.me'], upstream: 'http://127.0.0.1:9', policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] }],
  ruleGroups: [{ name: 'staff', include: [{ group: 'Staff' }] }],
  storage: { kind: 'sqlite', path: ':memory:' },
};

let t = 0;
const obj = (kind: ConfigObjectRecord['kind'], id: string, body: unknown): ConfigObjectRecord =>
  ({ kind, id, body, version: 1, createdAt: ++t, createdBy: 'test', updatedAt: t, updatedBy: 'test' });
const crm = obj('app', 'crm', { id: 'crm', hosts: ['crm.localtest.me'], upstream: 'http://127.0.0.1:9' });
const sales = obj('ruleGroup', 'sales', { name: 'sales', include: [{ group: 'Sales' }] });
const deny = obj('policy', 'p-deny', { app: 'crm', name: 'no-contractors', action: 'block', include: [{ group: 'Contractors' }] });
const allow = obj('policy', 'p-allow', { app: 'crm', name: 'sales', action: 'allow', include: [{ ruleGroup: 'sales' }] });

test('API objects are served after the file, policies by order then creation', () => {
  const later = obj('policy', 'p-first', { app: 'crm', order: -1, name: 'first', action: 'allow', include: [{ ruleGroup: 'staff' }] });
  const r = loadLayered(FILE, [crm, sales, deny, allow, later], { env: {} });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  assert.deepEqual(r.config.apps.map((a) => a.id), ['wiki', 'crm']);
  assert.deepEqual(r.config.apps[1]!.policies.map((p) => p.name), ['first', 'no-contractors', 'sales']);
  assert.deepEqual(r.config.ruleGroups.map((g) => g.name), ['staff', 'sales']);
  assert.equal(r.config.apiObjects.length, 5);
  assert.deepEqual(r.config.fileObject, FILE);
  assert.deepEqual(r.rejected, []);
});

test('a broken policy takes its whole app out (never served with fewer deny rules), named by its object', () => {
  // The rule group the allow policy names is gone (say the file dropped it): the app must not be
  // served with only some of its policies.
  const r = loadLayered(FILE, [crm, deny, allow], { env: {} });
  assert.ok(r.ok);
  assert.deepEqual(r.config.apps.map((a) => a.id), ['wiki']);
  assert.deepEqual(r.config.apiObjects, []);
  assert.deepEqual(r.rejected, [{ path: 'api policy "p-allow" (app "crm").include[0].ruleGroup', message: 'unknown rule group "sales"; known: staff' }]);
});

test('an API app whose host the file now takes is left out; the file is untouched', () => {
  const clash = obj('app', 'clash', { id: 'clash', hosts: ['wiki.localtest.me'], upstream: 'http://127.0.0.1:9' });
  const r = loadLayered(FILE, [clash, crm], { env: {} });
  assert.ok(r.ok);
  assert.deepEqual(r.config.apps.map((a) => a.id), ['wiki', 'crm']);
  assert.equal(r.rejected.length, 1);
  assert.match(r.rejected[0]!.path, /^api app "clash"\.hosts\[0\]$/);
});

test('a file with problems of its own is reported as such, whatever the API objects', () => {
  const r = loadLayered({ ...FILE, apps: [{ id: 'Bad!' }] }, [crm], { env: {} });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.issues.some((i) => i.path.startsWith('apps[0]')));
});

test('issue paths map back to the API object and the path inside it', () => {
  const m = mergeLayers(FILE, [crm, deny, sales]);
  assert.deepEqual(m.owner('apps[1].hosts[0]')?.rest, '.hosts[0]');
  assert.equal(m.owner('apps[1].policies[0].include[0]')?.object.id, 'p-deny');
  assert.equal(m.owner('ruleGroups[1].include')?.object.id, 'sales');
  assert.equal(m.owner('apps[0].hosts[0]'), null, 'the file\'s own');
});

test('a policy whose app is gone is not served, and named', () => {
  const r = loadLayered(FILE, [deny], { env: {} });
  assert.ok(r.ok);
  assert.deepEqual(r.rejected, [{ path: 'api policy "p-deny" (app "crm")', message: 'its app "crm" is not an app created through the API' }]);
  assert.deepEqual(r.config.apiObjects, []);
});
