// The Graph client against the emulator (token, AADSTS errors, paging, throttling) and a tiny
// recording server (headers re-sent on every page, token lifetime, foreign nextLinks refused).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEntraEmulator, type EntraEmulator } from '../../dev/entra/index.ts';
import { EntraGraphClient, EntraTokenError, GraphError, retryAfterMs } from './graph-client.ts';
import { CLIENT_ID, FIXTURE, SECRET } from './testing/emulator-sign-in.ts';

const CAROL = '2e9fbc63-8a4d-4b5c-af37-4db06e9c3b82';
let emulator: EntraEmulator;
before(async () => { emulator = await startEntraEmulator({ fixturePath: FIXTURE }); });
after(() => emulator.close());
beforeEach(() => { emulator.faults.clear(); emulator.requests.reset(); });

const client = (extra: Partial<ConstructorParameters<typeof EntraGraphClient>[0]> = {}) => new EntraGraphClient({
  tokenUrl: `${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, graphBase: emulator.graphUrl, tenantId: emulator.tenantId,
  clientId: CLIENT_ID, clientSecret: SECRET, sleep: async () => {}, random: () => 0, ...extra,
});

describe('EntraGraphClient against the emulator', () => {
  test('pages transitiveMemberOf by following @odata.nextLink to the end', async () => {
    const items = await client().getAll(`/users/${CAROL}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=2`);
    assert.equal(items.length, 7);
    assert.equal(emulator.requestCount('GET /v1.0/users/**'), 4);
  });

  test('a wrong client secret surfaces the AADSTS code', async () => {
    await assert.rejects(client({ clientSecret: 'not-the-secret' }).getAll('/groups'), (err: unknown) => {
      assert.ok(err instanceof EntraTokenError);
      assert.equal(err.code, 'invalid_client');
      assert.equal(err.aadsts, 'AADSTS7000215');
      assert.equal(err.status, 401);
      assert.doesNotMatch(err.message, /not-the-secret/);
      return true;
    });
  });

  test('Graph error bodies become GraphError with status and code', async () => {
    await assert.rejects(client().request('GET', '/users/00000000-0000-4000-8000-000000000000'), { name: 'GraphError', status: 404, code: 'Request_ResourceNotFound' });
  });

  test('503 then 504 are retried; the token endpoint is asked once', async () => {
    emulator.faults.add({ path: '/v1.0/groups', status: 503 });
    emulator.faults.add({ path: '/v1.0/groups', status: 504 });
    const groups = await client().getAll('/groups');
    assert.equal(groups.length, 10);
    assert.equal(emulator.requestCount('GET /v1.0/groups'), 3);
    assert.equal(emulator.requestCount('POST /*/oauth2/v2.0/token'), 1);
  });

  test('429 without Retry-After backs off exponentially and gives up after maxAttempts', async () => {
    const sleeps: number[] = [];
    emulator.faults.add({ path: '/v1.0/groups', status: 429, count: 10 });
    const c = client({ sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.999, maxAttempts: 3 });
    await assert.rejects(c.getAll('/groups'), (err: unknown) => err instanceof GraphError && err.status === 429 && err.code === 'TooManyRequests');
    assert.deepEqual(sleeps.map(Math.round), [500, 999]);
  });
});

describe('EntraGraphClient against a recording server', () => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  let tokens = 0;
  let base = '';
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/token') {
      tokens++;
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        res.end(JSON.stringify({ access_token: `t${tokens}`, expires_in: 3600, token_type: 'Bearer', echo: form.get('scope') }));
      });
      return;
    }
    if (req.url?.startsWith('/v1.0/items?page=2')) return res.end(JSON.stringify({ value: [2], '@odata.nextLink': 'https://elsewhere.example/v1.0/items?page=3' }));
    if (req.url?.startsWith('/v1.0/items')) return res.end(JSON.stringify({ value: [1], '@odata.nextLink': `${base}/v1.0/items?page=2&$skiptoken=x%20y` }));
    res.statusCode = 404;
    res.end('{}');
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('headers are re-sent on every page, nextLink is followed verbatim, and a foreign nextLink is refused', async () => {
    let now = 0;
    const c = new EntraGraphClient({ tokenUrl: `${base}/token`, graphBase: base, tenantId: 't', clientId: 'c', clientSecret: 's&=x', now: () => now });
    await assert.rejects(c.getAll('/items?$count=true', { headers: { ConsistencyLevel: 'eventual' } }), { name: 'GraphError', code: 'foreign_next_link' });
    const pages = seen.filter((s) => s.url.startsWith('/v1.0/'));
    assert.deepEqual(pages.map((p) => p.url), ['/v1.0/items?$count=true', '/v1.0/items?page=2&$skiptoken=x%20y']);
    assert.ok(pages.every((p) => p.headers['consistencylevel'] === 'eventual' && p.headers.authorization === 'Bearer t1'));
    assert.equal(tokens, 1);
    const tokenReq = seen.find((s) => s.url === '/token');
    assert.equal(tokenReq?.headers['content-type'], 'application/x-www-form-urlencoded');

    // Cached until expires_in minus the skew, then renewed.
    now = 3600_000 - 5 * 60_000 - 1;
    await c.request('GET', '/items?x=1').catch(() => {});
    assert.equal(tokens, 1);
    now = 3600_000 - 5 * 60_000;
    await c.request('GET', '/items?x=2').catch(() => {});
    assert.equal(tokens, 2);
  });
});

test('Retry-After accepts seconds and HTTP dates', () => {
  assert.equal(retryAfterMs('7', 0), 7000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs(null, 0), undefined);
  assert.equal(retryAfterMs('soon', 0), undefined);
});
