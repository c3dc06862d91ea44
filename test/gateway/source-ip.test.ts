// Gateway issue, item 1b: on a trusted network a user is known by their address. Signing in on the
// auth host from an address inside `gateway.sourceIpBinding.networks` binds it to that sign-in;
// proxy traffic from it without a credential is then theirs — until they sign out, are
// deprovisioned, or the binding expires. Addresses outside the networks are never bound.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countSourceIpLookups, startGatewayStack, type GatewayStack } from './harness.ts';

let s: GatewayStack;
let app: string;
const lastLogEmail = async () => {
  const [e] = await s.logRows(1);
  return e?.email ?? null;
};

before(async () => {
  s = await startGatewayStack({
    gateway: {
      sourceIpBinding: { networks: ['127.0.0.0/8'], duration: '800ms' },
      rules: [{ name: 'Local test upstream', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } }],
    },
  });
  app = `http://app1.example.com:${s.upstream.port}/`;
});
after(() => s.close());

test('no sign-in from this address: no credential means 407, after asking the bindings', async () => {
  const lookups = countSourceIpLookups();
  try {
    assert.equal((await s.proxy('GET', app)).status, 407);
    assert.equal(lookups.count(), 1, 'sourceIpBinding is configured: the address is looked up');
  } finally {
    lookups.restore();
  }
});

test('after a sign-in from the trusted network, traffic from that address is the user\'s; signing out ends it', async () => {
  const cookie = await s.signIn('alice@contoso.com', ['Staff']);
  const r = await s.proxy('GET', app);
  assert.equal(r.status, 200, r.body);
  assert.equal(await lastLogEmail(), 'alice@contoso.com', 'the gateway log names the user');
  const id = (await s.moatless.store.sessions.listActive({ email: 'alice@contoso.com', limit: 1, offset: 0 }, Date.now())).items[0]!.id;
  await s.moatless.sessions.revokeFamily(id, 'logout');
  assert.equal((await s.proxy('GET', app)).status, 407, 'signed out: the address means nobody');
  assert.ok(cookie);
});

test('a deprovisioned user\'s address is refused on the next request', async () => {
  await s.signIn('bob@contoso.com');
  assert.equal((await s.proxy('GET', app)).status, 200);
  s.directory.set('bob@contoso.com', { groups: [], active: false });
  assert.equal((await s.proxy('GET', app)).status, 407);
});

test('the binding expires after gateway.sourceIpBinding.duration', async () => {
  await s.signIn('carol@contoso.com');
  assert.equal((await s.proxy('GET', app)).status, 200);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await s.proxy('GET', app)).status, 407);
});

test('a presented credential wins over the address, and a bad one is refused (never downgraded)', async () => {
  await s.signIn('dave@contoso.com');
  const bad = `Basic ${Buffer.from('gw_0000000000000000:nope').toString('base64')}`;
  assert.equal((await s.proxy('GET', app, { 'proxy-authorization': bad })).status, 407);
});
