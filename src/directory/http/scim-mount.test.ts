import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { openKit, patch, userBody, type Kit } from '../testing.ts';
import { createScimToken } from '../scim-tokens.ts';
import { scimMount } from './scim-mount.ts';

describe('SCIM HTTP adapter', () => {
  let k: Kit;
  let server: Server;
  let url: string;
  let token: string;
  let otherToken: string;
  before(async () => {
    k = await openKit();
    token = (await createScimToken(k.store, { name: 'entra', directoryName: 'entra', now: Date.now() })).token;
    otherToken = (await createScimToken(k.store, { name: 'okta', directoryName: 'okta', now: Date.now() })).token;
    const mount = scimMount({ store: k.store, sessions: k.sessions, logger: pino({ level: 'silent' }), now: Date.now, authOrigin: () => 'https://auth.example.com', maxBodyBytes: 64 * 1024 });
    server = createServer((req, res) => void mount.handle(req, res, 'req-1'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await k.close();
  });

  const req = async (method: string, path: string, opts: { body?: string; auth?: string | null; type?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/scim+json' };
    if (opts.auth !== null) headers['authorization'] = opts.auth ?? `Bearer ${token}`;
    const r = await fetch(url + path, { method, headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
    const text = await r.text();
    return { status: r.status, headers: r.headers, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
  };

  test('missing, malformed, unknown and revoked tokens are 401 with a SCIM error body and a Bearer challenge', async () => {
    const revoked = await createScimToken(k.store, { name: 'old', directoryName: 'entra', now: Date.now() });
    await k.store.directory.tokens.revoke(revoked.record.id, Date.now());
    for (const auth of [null, 'Basic abc', 'Bearer mlscim_' + 'A'.repeat(43), `Bearer ${revoked.token}`, `Bearer ${token}x`]) {
      const r = await req('GET', '/Users', { auth });
      assert.equal(r.status, 401, String(auth));
      assert.equal(r.json['status'], '401');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match(r.headers.get('content-type') ?? '', /^application\/scim\+json/);
    }
  });

  test('responses are application/scim+json; application/json requests are accepted', async () => {
    const r = await req('POST', '/Users', { body: JSON.stringify(userBody('http@contoso.com')), type: 'application/json' });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/scim+json; charset=utf-8');
    assert.equal(r.json['meta'] && (r.json['meta'] as { location: string }).location, `https://auth.example.com/scim/v2/Users/${String(r.json['id'])}`);
  });

  test('the token decides the directory: another tenant\'s objects are 404', async () => {
    const r = await req('POST', '/Users', { body: JSON.stringify(userBody('tenant@contoso.com')) });
    const id = String(r.json['id']);
    assert.equal((await req('GET', `/Users/${id}`, { auth: `Bearer ${otherToken}` })).status, 404);
    assert.equal((await req('GET', `/Users/${id}`)).status, 200);
  });

  test('invalid JSON is 400 invalidSyntax; an oversized body is 413; other media types 415', async () => {
    const bad = await req('POST', '/Users', { body: '{"userName": ' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json['scimType'], 'invalidSyntax');
    assert.match(String(bad.json['detail']), /not valid JSON/);
    const big = await req('POST', '/Users', { body: JSON.stringify(userBody('big@contoso.com', { title: 'x'.repeat(70 * 1024) })) });
    assert.equal(big.status, 413);
    assert.equal(big.json['status'], '413');
    assert.equal((await req('POST', '/Users', { body: 'a=b', type: 'application/x-www-form-urlencoded' })).status, 415);
  });

  test('every authenticated request is written to the provisioning log, without the token or body', async () => {
    const r = await req('POST', '/Users', { body: JSON.stringify(userBody('logged@contoso.com', { externalId: 'ext-77' })) });
    const id = String(r.json['id']);
    await req('PATCH', `/Users/${id}`, { body: JSON.stringify(patch({ op: 'replace', path: 'active', value: false })) });
    await req('GET', '/Users/does-not-exist');
    // The log is written in batches a few hundred milliseconds apart; earlier tests' lines are there
    // too, so wait for these three requests' lines, not for any three.
    const ours = (es: typeof entries) => es.filter((e) => e.resourceId === id || e.resourceId === 'does-not-exist').length >= 3;
    let entries = await k.store.directory.provisioningLog.query({ limit: 50 });
    for (let i = 0; i < 100 && !ours(entries); i++) {
      await new Promise((r) => setTimeout(r, 50));
      entries = await k.store.directory.provisioningLog.query({ limit: 50 });
    }
    const create = entries.find((e) => e.operation === 'create user' && e.resourceId === id);
    assert.ok(create);
    assert.equal(create.externalId, 'ext-77');
    assert.equal(create.status, 201);
    assert.equal(create.method, 'POST');
    assert.ok(entries.some((e) => e.operation === 'patch user' && e.resourceId === id && e.status === 204));
    const miss = entries.find((e) => e.resourceId === 'does-not-exist');
    assert.equal(miss?.status, 404);
    assert.match(miss?.error ?? '', /not found/);
    const text = JSON.stringify(entries);
    assert.ok(!text.includes(token) && !text.includes('logged@contoso.com'), 'no token and no body in the log');
  });
});
