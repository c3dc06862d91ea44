// Admin API read endpoints for the other capabilities: gateway rules and CA certificate, the gateway,
// provisioning and risk logs (filters, cursor paging that neither loses nor repeats entries inside
// one millisecond), risky users per level over time, and token lists that never carry a secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminToken } from '../../src/admin/index.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { EMPTY_HEALTH, writeHealth } from '../../src/risk/health.ts';
import type { GatewayLogEntry } from '../../src/store/ports-gateway.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { call } from './helpers.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SERVICE_SECRET = 'service-secret-value-0123456789';
let s: Stack;
let api: string;
let read: Record<string, string>;
let readToken: string;

before(async () => {
  s = await startStack({
    extra: {
      gateway: {
        listener: { address: '127.0.0.1:0' }, inspect: true,
        hostLists: [{ name: 'social', hosts: ['facebook.com', 'x.com'] }],
        rules: [
          { name: 'No social', action: 'block', when: { domain: { inList: 'social' } } },
          { name: 'Isolate risky', action: 'isolate', when: { userGroupNames: { in: ['Risky'] } } },
        ],
      },
      serviceTokens: [{ name: 'ci', clientId: 'ci-client-0001', clientSecret: SERVICE_SECRET, expiresAt: '2020-01-01T00:00:00.000Z' }],
    },
  });
  api = `${s.authUrl}/api/v1`;
  readToken = (await createAdminToken(s.moatless.store, { name: 'ro', scope: 'read', expiresInMs: DAY, now: Date.now() })).token;
  read = { authorization: `Bearer ${readToken}` };
});
after(async () => { await s?.close(); });

async function get(path: string) {
  const r = await call(s.browser(), `${api}${path}`, { headers: read });
  assert.equal(r.status, 200, `${path}: ${r.body}`);
  return r;
}

/** Every page of a list, following nextCursor. */
async function walk<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...(r.json['items'] as T[]));
    cursor = r.json['nextCursor'] as string | null;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}

test('GET /gateway/rules: the rules in order, with defaults and host lists, marked as config', async () => {
  const r = await get('/gateway/rules');
  assert.equal(r.json['configured'], true);
  assert.equal(r.json['defaultAction'], 'allow');
  assert.deepEqual(r.json['hostLists'], [{ name: 'social', hosts: ['facebook.com', 'x.com'] }]);
  const items = r.json['items'] as { name: string; action: string; when: unknown; source: string }[];
  assert.deepEqual(items.map((x) => [x.name, x.action, x.source]), [['No social', 'block', 'config'], ['Isolate risky', 'isolate', 'config']]);
  assert.deepEqual(items[0]!.when, { domain: { inList: 'social' } });
});

test('GET /gateway/ca: the inspection CA certificate as PEM with its fingerprint, never the key', async () => {
  const r = await get('/gateway/ca');
  assert.match(String(r.json['pem']), /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/);
  assert.match(String(r.json['fingerprintSha256']), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.doesNotMatch(r.body, /PRIVATE|"key"/);
});

test('GET /logs/gateway: newest first, filtered, and paged without losing or repeating entries in one millisecond', async () => {
  const t = Date.now() - HOUR;
  const entry = (time: number, n: number, over: Partial<GatewayLogEntry> = {}): GatewayLogEntry => ({
    time, requestId: `g${n}`, userKey: null, email: 'bob@contoso.com', groups: [], host: 'x.com', url: `https://x.com/${n}`, method: 'GET',
    action: 'block', policy: 'No social', reasons: ['domain'], status: 403, bytes: 10, isolation: null, clientIp: '10.0.0.5', ...over,
  });
  const rows = [entry(t - 10, 0), ...[1, 2, 3, 4, 5].map((n) => entry(t, n)), entry(t + 5, 6, { email: 'alice@contoso.com', action: 'allow' })];
  await s.moatless.store.gateway.log.append(rows);
  const all = await walk<{ requestId: string }>('/logs/gateway?limit=2');
  assert.deepEqual(all.map((e) => e.requestId).sort(), rows.map((e) => e.requestId).sort(), 'every entry exactly once');
  assert.equal(all[0]!.requestId, 'g6', 'newest first');
  assert.deepEqual((await walk<{ requestId: string }>('/logs/gateway?email=alice@contoso.com')).map((e) => e.requestId), ['g6']);
  assert.deepEqual((await walk<{ requestId: string }>(`/logs/gateway?action=block&until=${t - 1}`)).map((e) => e.requestId), ['g0']);
});

test('GET /logs/provisioning: SCIM requests per directory, paged', async () => {
  await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'contoso', now: Date.now() });
  const dir = (await s.moatless.store.directory.directories.getByName('contoso'))!;
  const t = Date.now() - HOUR;
  for (let i = 0; i < 5; i++) {
    await s.moatless.store.directory.provisioningLog.append({
      time: t + (i < 3 ? 0 : i), directoryId: dir.id, method: 'POST', path: '/Users', operation: 'createUser', resourceType: 'User',
      resourceId: `u${i}`, externalId: null, status: 201, error: null, durationMs: 2,
    });
  }
  const all = await walk<{ resourceId: string; directoryId: string }>('/logs/provisioning?directory=contoso&limit=2');
  assert.deepEqual(all.map((e) => e.resourceId).sort(), ['u0', 'u1', 'u2', 'u3', 'u4']);
  assert.ok(all.every((e) => e.directoryId === dir.id));
  const missing = await call(s.browser(), `${api}/logs/provisioning?directory=nope`, { headers: read });
  assert.equal(missing.status, 404);
});

test('GET /logs/risk and /risk/history: changes filtered by user and output; users per level over time', async () => {
  const now = Date.now();
  await writeHealth(s.moatless.store.kv, { ...EMPTY_HEALTH, counts: { high: 2, medium: 1, low: 0 } });
  const change = { cycleId: 'c1', userId: 'u', groupName: null, reason: 'riskLevel high (atRisk)' };
  await s.moatless.store.directory.risk.appendChanges([
    { ...change, time: now - 5 * HOUR, userPrincipalName: 'bob@contoso.com', output: 'level', from: null, to: 'high' },
    { ...change, time: now - 5 * HOUR, userPrincipalName: 'bob@contoso.com', output: 'directory', from: null, to: 'high' },
    { ...change, time: now - 2 * HOUR, userPrincipalName: 'carol@contoso.com', output: 'level', from: 'medium', to: 'high' },
  ]);
  const bob = await walk<{ userPrincipalName: string; output: string }>('/logs/risk?user=BOB@contoso.com');
  assert.deepEqual(bob.map((e) => e.output).sort(), ['directory', 'level']);
  assert.equal((await walk('/logs/risk?output=level')).length, 2);

  const h = await get(`/risk/history?since=${now - 6 * HOUR}&until=${now}`);
  const points = h.json['points'] as { time: string; counts: { high: number; medium: number; low: number } }[];
  assert.equal(h.json['bucketMs'], 5 * 60_000);
  const at = (ago: number) => points.filter((p) => Date.parse(p.time) <= now - ago).at(-1)!.counts;
  assert.deepEqual(points.at(-1)!.counts, { high: 2, medium: 1, low: 0 }, 'now');
  assert.deepEqual(at(3 * HOUR), { high: 1, medium: 2, low: 0 }, 'before carol went from medium to high');
  assert.deepEqual(at(5.5 * HOUR), { high: 0, medium: 2, low: 0 }, 'before bob became high');
  assert.equal(h.json['complete'], true);
  assert.equal((await call(s.browser(), `${api}/risk/history?since=${now}&until=${now - 1}`, { headers: read })).status, 400);
});

test('GET /tokens/scim, /tokens/service, /tokens/admin: metadata only, never a secret or a hash', async () => {
  const { token: scimSecret, record } = await createScimToken(s.moatless.store, { name: 'okta', directoryName: 'okta', now: Date.now() });
  const scim = await get('/tokens/scim');
  const mine = (scim.json['items'] as { name: string; directory: string; state: string }[]).find((x) => x.name === 'okta');
  assert.deepEqual(mine && [mine.directory, mine.state], ['okta', 'active']);
  const service = await get('/tokens/service');
  assert.deepEqual(service.json['items'], [{ name: 'ci', clientId: 'ci-client-0001', expiresAt: '2020-01-01T00:00:00.000Z', state: 'expired', source: 'config' }]);
  const admin = await get('/tokens/admin');
  assert.deepEqual((admin.json['items'] as { name: string; scope: string; state: string }[]).map((x) => [x.name, x.scope, x.state]), [['ro', 'read', 'active']]);
  const adminHash = (await s.moatless.store.admin.tokens.list())[0]!.hash;
  for (const body of [scim.body, service.body, admin.body]) {
    for (const secret of [scimSecret, record.hash, SERVICE_SECRET, readToken, adminHash]) assert.ok(!body.includes(secret), 'no secret or hash in a token list');
    assert.doesNotMatch(body, /"hash"|clientSecret/);
  }
});

test('the OpenAPI document describes the new operations', async () => {
  const doc = JSON.parse((await s.browser().get(`${api}/openapi.json`)).body) as { paths: Record<string, unknown> };
  for (const p of ['/gateway/rules', '/gateway/ca', '/logs/gateway', '/logs/provisioning', '/logs/risk', '/risk/history', '/tokens/scim', '/tokens/service', '/tokens/admin']) {
    assert.ok(doc.paths[p], `${p} in openapi.json`);
  }
});
