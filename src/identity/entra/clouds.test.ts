// National clouds: one `cloud` value picks the authority and Graph hosts. Each cloud runs the
// emulator under that cloud's public hosts, and the adapter's fetch reaches only those hosts
// (any other host is refused), through a full sign-in with overage so Graph is exercised too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRA_CLOUDS } from '../../config/schema/identity.ts';
import { startEntraEmulator } from '../../dev/entra/index.ts';
import { CLOUDS, cloudCapabilities, entraEndpoints } from './clouds.ts';
import { createEntraProvider } from './index.ts';
import { CALLBACK, entraConfig, FIXTURE, hostMappedFetch, SECRET_CREDENTIAL, signInThroughEmulator } from './testing/emulator-sign-in.ts';

describe('national clouds', () => {
  for (const cloud of ENTRA_CLOUDS) {
    const { authorityHost, graphHost } = CLOUDS[cloud];
    test(`${cloud}: signs in through ${authorityHost} and reads groups from ${graphHost}`, async () => {
      const emulator = await startEntraEmulator({
        fixturePath: FIXTURE, extraRedirectUris: [CALLBACK], publicBaseUrl: `https://${authorityHost}`, graphBaseUrl: `https://${graphHost}`,
      });
      try {
        const f = hostMappedFetch(emulator.listenUrl, [authorityHost, graphHost]);
        const cfg = entraConfig(emulator, { cloud, authorityUrl: undefined, graphUrl: undefined });
        const provider = createEntraProvider(cfg, SECRET_CREDENTIAL, { fetch: f, sleep: async () => {} });
        assert.equal(provider.issuer, `https://${authorityHost}/${emulator.tenantId}/v2.0`);
        const { identity } = await signInThroughEmulator(provider, { username: 'carol@contoso.com', password: 'carol', fetch: f });
        assert.equal(identity.groups.length, 7, 'overage resolved through this cloud\'s Graph');
        assert.deepEqual([...f.seen].sort(), [authorityHost, graphHost].sort());
        assert.equal(emulator.requestCount('GET /v1.0/users/*/transitiveMemberOf/**'), 1);
      } finally {
        await emulator.close();
      }
    });
  }

  test('endpoints follow the cloud table; emulator overrides replace the hosts only', () => {
    const tenantId = '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41';
    assert.deepEqual(entraEndpoints({ cloud: 'dod', tenantId }), {
      issuer: `https://login.microsoftonline.us/${tenantId}/v2.0`,
      tokenUrl: `https://login.microsoftonline.us/${tenantId}/oauth2/v2.0/token`,
      graphBase: 'https://dod-graph.microsoft.us',
    });
    assert.equal(entraEndpoints({ cloud: 'china', tenantId }).graphBase, 'https://microsoftgraph.chinacloudapi.cn');
    assert.equal(entraEndpoints({ cloud: 'usgov', tenantId }).issuer, `https://login.microsoftonline.com/${tenantId}/v2.0`, 'GCC is the global cloud');
    assert.equal(entraEndpoints({ cloud: 'global', tenantId, authorityUrl: 'http://127.0.0.1:1/' }).tokenUrl, `http://127.0.0.1:1/${tenantId}/oauth2/v2.0/token`);
  });

  test('china reports that risky-user APIs are unavailable; the others have them', () => {
    assert.equal(CLOUDS.china.riskyUsersApi, false);
    const china = cloudCapabilities('china');
    assert.equal(china.riskyUsersApi, false);
    assert.match(china.message ?? '', /not available in the china cloud/);
    for (const c of ENTRA_CLOUDS.filter((x) => x !== 'china')) assert.deepEqual(cloudCapabilities(c), { cloud: c, riskyUsersApi: true, message: null });
  });
});
