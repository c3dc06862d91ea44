// `--require-assertion`, checked against a real edge-shaped JWKS endpoint on loopback: only a
// token signed by the edge's key, for the edge's issuer (and the audience when one is required),
// unexpired, passes — a leaked tunnel token alone, or an assertion minted elsewhere, does not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { assertionCheck } from './assertion-check.ts';

let server: Server;
let edge: URL;
let edgeKey: CryptoKey;
let otherKey: CryptoKey;
let jwksRequests = 0;

before(async () => {
  const pair = await generateKeyPair('ES256');
  edgeKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'edge-1', alg: 'ES256', use: 'sig' };
  server = createServer((req, res) => {
    if (req.url === '/tunnel/v1/certs') {
      jwksRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  edge = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
after(() => new Promise<void>((r) => server.close(() => r())));

const sign = (key: CryptoKey, claims: { iss?: string; aud?: string; expSecondsFromNow?: number; alg?: string } = {}) =>
  new SignJWT({ email: 'alice@contoso.com' })
    .setProtectedHeader({ alg: claims.alg ?? 'ES256', kid: 'edge-1' })
    .setIssuer(claims.iss ?? edge.origin)
    .setAudience(claims.aud ?? 'priv')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expSecondsFromNow ?? 60))
    .sign(key);

test('only the edge\'s own, unexpired assertion for this issuer and audience passes', async () => {
  const check = assertionCheck({ target: { url: edge, address: null }, header: 'moatless-jwt-assertion', audiences: ['priv'] });
  assert.equal(await check.verify(await sign(edgeKey)), true, 'the edge\'s assertion passes');
  assert.ok(jwksRequests >= 1, 'the keys were read from the edge');
  assert.equal(await check.verify(undefined), false, 'no assertion');
  assert.equal(await check.verify('not-a-jwt'), false, 'garbage');
  assert.equal(await check.verify(await sign(otherKey)), false, 'signed by another key');
  assert.equal(await check.verify(await sign(edgeKey, { iss: 'https://evil.example' })), false, 'another issuer');
  assert.equal(await check.verify(await sign(edgeKey, { aud: 'payroll' })), false, 'another app\'s audience');
  assert.equal(await check.verify(await sign(edgeKey, { expSecondsFromNow: -120 })), false, 'expired');
});

test('without required audiences, any audience of the edge passes; the issuer still has to match', async () => {
  const check = assertionCheck({ target: { url: edge, address: null }, header: 'moatless-jwt-assertion', audiences: [] });
  assert.equal(await check.verify(await sign(edgeKey, { aud: 'payroll' })), true);
  assert.equal(await check.verify(await sign(edgeKey, { iss: 'https://evil.example' })), false);
});
