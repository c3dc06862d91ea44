// Certificate credentials end to end against the emulator with the real openid-client: sign-in
// whose code exchange is authenticated by a signed assertion (private_key_jwt with x5t), the
// overage Graph lookup on an app token got the same way, the auth-context import, and a key that
// is not the certificate's refused with Entra's AADSTS700027 — at sign-in and at Graph.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEntraEmulator, loadFixture, type EntraEmulator } from '../../dev/entra/index.ts';
import { createDevCertificate } from '../../dev/entra/testing/dev-certificate.ts';
import type { KeyValueStore } from '../../store/ports.ts';
import { SignInError } from '../provider.ts';
import { certificateThumbprints, type EntraClientCredential } from './client-credential.ts';
import { runAuthContextsImport } from './auth-contexts.ts';
import { EntraTokenError } from './graph-errors.ts';
import { createEntraGraphClient, createEntraProvider } from './index.ts';
import { CALLBACK, CLIENT_ID, entraConfig, FIXTURE, signInThroughEmulator } from './testing/emulator-sign-in.ts';

const CERT = createDevCertificate('moatless-app');
const ROGUE = createDevCertificate('rogue');
const CREDENTIAL: EntraClientCredential = { kind: 'certificate', ...CERT };
const WRONG_KEY: EntraClientCredential = { kind: 'certificate', certificatePem: CERT.certificatePem, privateKeyPem: ROGUE.privateKeyPem };
const ALICE = { username: 'alice@contoso.com', password: 'alice' };
const CAROL = { username: 'carol@contoso.com', password: 'carol' };

let emulator: EntraEmulator;
before(async () => {
  // The demo tenant, with its Moatless app registration switched from a secret to the certificate.
  const demo = await loadFixture(FIXTURE);
  const clients = demo.clients.map((c) => {
    if (c.clientId !== CLIENT_ID) return c;
    const { clientSecret: _dropped, ...rest } = c;
    return { ...rest, certificates: [CERT.certificatePem] };
  });
  emulator = await startEntraEmulator({ fixture: { ...demo, clients }, extraRedirectUris: [CALLBACK] });
});
after(() => emulator.close());
beforeEach(() => { emulator.faults.clear(); emulator.requests.reset(); });

/** Captures the token requests the adapter sends (the emulator's log keeps no bodies). */
function recordingFetch(): typeof fetch & { tokenBodies: URLSearchParams[] } {
  const tokenBodies: URLSearchParams[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/oauth2/v2.0/token') && init?.body !== undefined) tokenBodies.push(new URLSearchParams(String(init.body)));
    return fetch(input, init);
  }) as typeof fetch & { tokenBodies: URLSearchParams[] };
  f.tokenBodies = tokenBodies;
  return f;
}

function decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString()), payload: JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) };
}

describe('Entra sign-in with a certificate credential', () => {
  test('alice signs in; the code exchange and the Graph token both carry an Entra-shaped assertion and no secret', async () => {
    const f = recordingFetch();
    const provider = createEntraProvider(entraConfig(emulator, { clientSecret: undefined, clientCertificate: { certificate: 'x', privateKey: 'y' } }), CREDENTIAL, { fetch: f });
    const { identity } = await signInThroughEmulator(provider, ALICE);
    assert.equal(identity.email, 'alice@contoso.com');
    assert.deepEqual([...identity.groupNames].sort(), ['Finance', 'Staff']);

    assert.equal(f.tokenBodies.length, 2, 'code exchange + app token');
    const tokenUrl = `${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`;
    const thumbs = certificateThumbprints(CERT.certificatePem);
    for (const body of f.tokenBodies) {
      assert.equal(body.get('client_secret'), null);
      assert.equal(body.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      const { header, payload } = decode(body.get('client_assertion') ?? '');
      assert.deepEqual({ alg: header['alg'], typ: header['typ'], x5t: header['x5t'], s256: header['x5t#S256'] }, { alg: 'RS256', typ: 'JWT', x5t: thumbs.x5t, s256: thumbs['x5t#S256'] });
      assert.equal(payload['aud'], tokenUrl);
      assert.equal(payload['iss'], CLIENT_ID);
      assert.equal(payload['sub'], CLIENT_ID);
      assert.equal(typeof payload['jti'], 'string');
      const lifetime = Number(payload['exp']) - Number(payload['nbf'] ?? payload['iat']);
      assert.ok(lifetime > 0 && lifetime <= 600, `short-lived assertion, got ${lifetime}s`);
    }
    assert.notEqual(f.tokenBodies[0]?.get('client_assertion'), f.tokenBodies[1]?.get('client_assertion'), 'a fresh assertion per request');
  });

  test('carol (overage) gets her 7 groups from Graph on the certificate-authenticated app token', async () => {
    const provider = createEntraProvider(entraConfig(emulator), CREDENTIAL);
    const { identity } = await signInThroughEmulator(provider, CAROL);
    assert.equal(identity.groups.length, 7);
    assert.ok(identity.groupNames.includes('Project Apollo'));
    assert.equal(emulator.requestCount('GET /v1.0/users/*/transitiveMemberOf/microsoft.graph.group'), 1);
  });

  test('a key that is not the certificate\'s fails the sign-in with client_auth_failed and AADSTS700027', async () => {
    const provider = createEntraProvider(entraConfig(emulator), WRONG_KEY, { graph: null });
    await assert.rejects(signInThroughEmulator(provider, ALICE), (err: unknown) => {
      assert.ok(err instanceof SignInError);
      assert.equal(err.code, 'client_auth_failed');
      assert.match(err.message, /client credential.*AADSTS700027: Client assertion contains an invalid signature/);
      return true;
    });
  });

  test('the same wrong key at Graph is an EntraTokenError with AADSTS700027', async () => {
    const graph = createEntraGraphClient(entraConfig(emulator), WRONG_KEY, { sleep: async () => {} });
    await assert.rejects(graph.getAll('/groups'), (err: unknown) => {
      assert.ok(err instanceof EntraTokenError);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'invalid_client');
      assert.equal(err.aadsts, 'AADSTS700027');
      assert.ok(!err.message.includes('PRIVATE KEY'));
      return true;
    });
  });

  test('the auth-context import works with the certificate', async () => {
    const saved = new Map<string, string>();
    const kv: KeyValueStore = {
      get: async (ns, key) => saved.get(`${ns}/${key}`) ?? null,
      set: async (ns, key, value) => { saved.set(`${ns}/${key}`, value); },
      delete: async (ns, key) => { saved.delete(`${ns}/${key}`); },
      list: async () => [],
      claim: async () => false,
      unclaim: async () => false,
    };
    const list = await runAuthContextsImport(entraConfig(emulator), CREDENTIAL, { kv }, { write: () => {} });
    assert.ok(list.some((c) => c.id === 'c1'));
    assert.equal(saved.size, 1);
  });
});
