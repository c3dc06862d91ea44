import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateReferences } from './validate.ts';
import { configSchema } from './schema/root.ts';

const cfg = (trustedCallers: string[]) => configSchema.parse({
  server: { authUrl: 'https://auth.example.com', forwardAuth: { trustedCallers } },
  identityProviders: [{ id: 'oidc', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: { env: 'X' } }],
  apps: [{ id: 'grafana', hosts: ['grafana.example.com'], mode: 'forwardAuth', policies: [{ name: 'all', action: 'allow', include: [{ group: ['Staff'] }] }] }],
});

test('a forwardAuth app with no trusted forward-auth caller is warned about: every verify would be refused', () => {
  const warned = (c: string[]) => validateReferences(cfg(c)).warnings.map((w) => `${w.path}: ${w.message}`);
  assert.deepEqual(warned([]), ['apps[0].mode: forwardAuth, but server.forwardAuth.trustedCallers is empty: every verify call is refused']);
  assert.deepEqual(warned(['10.0.0.1']), []);
});
