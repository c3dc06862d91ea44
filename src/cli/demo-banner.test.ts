import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadConfigFile } from '../config/load.ts';
import { loadFixture } from '../dev/entra/fixture.ts';
import { DEMO_USERS, demoBanner, usesDemoTenant } from './demo-banner.ts';

const ROOT = resolve(import.meta.dirname, '../..');

test('every demo user in the banner exists in the shipped fixture with that password', async () => {
  const fixture = await loadFixture(resolve(ROOT, 'dev/entra-fixture.yaml'));
  for (const u of DEMO_USERS) {
    const f = fixture.users.find((x) => x.userPrincipalName === u.email);
    assert.ok(f, `${u.email} is in the fixture`);
    assert.equal(f.password, u.password, u.email);
  }
  assert.equal(DEMO_USERS.length, fixture.users.length, 'the table lists every fixture user');
});

test('the demo banner opens with the wiki on *.localhost', () => {
  const r = loadConfigFile(resolve(ROOT, 'demo/moatless.yaml'), { env: {} });
  assert.ok(r.ok);
  assert.ok(usesDemoTenant(r.config));
  const [first] = demoBanner(r.config);
  assert.match(first ?? '', /^Open http:\/\/wiki\.localhost:8080\/ /);
});
