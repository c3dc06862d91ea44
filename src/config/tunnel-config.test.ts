// tunnel.relay: the shared secret is resolved like every secret, and a short one is refused (one
// captured relay request would let it be guessed offline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigObject } from './load.ts';

const load = (tunnel: unknown, env: Record<string, string> = {}) => loadConfigObject({
  server: { authUrl: 'https://auth.example.com' },
  ...(tunnel === undefined ? {} : { tunnel }),
}, { env });

test('tunnel.relay: secret from the environment, at least 32 characters; absent means no relay', () => {
  const ok = load({ relay: { url: 'http://10.0.0.11:8080', secret: { env: 'RELAY' } } }, { RELAY: 'x'.repeat(32) });
  assert.ok(ok.ok);
  assert.equal(ok.config.secrets.tunnelRelaySecret, 'x'.repeat(32));
  assert.equal(ok.config.tunnel.relay?.url, 'http://10.0.0.11:8080');
  const short = load({ relay: { url: 'http://10.0.0.11:8080', secret: 'too-short' } });
  assert.ok(!short.ok);
  assert.deepEqual(short.issues.map((i) => i.path), ['tunnel.relay.secret']);
  const noUrl = load({ relay: { secret: 'x'.repeat(40) } });
  assert.ok(!noUrl.ok);
  const none = load(undefined);
  assert.ok(none.ok);
  assert.equal(none.config.secrets.tunnelRelaySecret, null);
  assert.equal(none.config.tunnel.relay, undefined);
});
