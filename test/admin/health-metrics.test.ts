// Scenario: load balancers and Kubernetes probe /healthz and /readyz on any Host; Prometheus scrapes
// /metrics on the auth host (token or loopback only) and sees requests per app and decision,
// active sessions, SCIM requests and change-feed freshness.
import { EMPTY_HEALTH, writeHealth, type RiskHealth } from '../../src/risk/health.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, sessionFor, type Stack } from '../harness/stack.ts';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';

describe('health probes on every host', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  for (const host of ['auth', 'ip', 'unknown']) {
    test(`/healthz and /readyz answer with Host = ${host}`, async () => {
      const h = host === 'auth' ? `auth.localtest.me:${s.port}` : host === 'ip' ? `10.1.2.3:${s.port}` : 'nothing.example:80';
      const b = s.browser();
      const live = await b.get(`http://127.0.0.1:${s.port}/healthz`, { headers: { host: h } });
      assert.equal(live.status, 200);
      assert.equal(live.body, 'ok\n');
      const ready = await b.get(`http://127.0.0.1:${s.port}/readyz`, { headers: { host: h } });
      assert.equal(ready.status, 200, ready.body);
      const r = JSON.parse(ready.body) as { status: string; checks: { store: { ok: boolean }; config: { ok: boolean }; changeFeed: { ok: boolean } } };
      assert.equal(r.status, 'ready');
      assert.equal(r.checks.store.ok && r.checks.config.ok && r.checks.changeFeed.ok, true);
    });
  }

  test('on an app host, /healthz is the app\'s own page; /.moatless/healthz is Moatless\'s', async () => {
    const b = s.browser();
    const own = await b.get(`${s.wikiUrl}/healthz`);
    assert.equal(own.status, 302, 'the app route applies: sign-in redirect, not the probe');
    const probe = await b.get(`${s.wikiUrl}/.moatless/readyz`);
    assert.equal(probe.status, 200);
    assert.equal((JSON.parse(probe.body) as { status: string }).status, 'ready');
  });

  test('readyz is 503 while the change feed is not fresh, and says which check failed', async () => {
    const feed = s.moatless.store.changes;
    const original = feed.isFresh.bind(feed);
    feed.isFresh = () => false;
    try {
      const r = await s.browser().get(`${s.authUrl}/readyz`);
      assert.equal(r.status, 503);
      const body = JSON.parse(r.body) as { status: string; checks: { changeFeed: { ok: boolean }; store: { ok: boolean } } };
      assert.equal(body.status, 'not ready');
      assert.equal(body.checks.changeFeed.ok, false);
      assert.equal(body.checks.store.ok, true);
    } finally {
      feed.isFresh = original;
    }
  });

  test('probes refuse other methods with 405', async () => {
    const r = await s.browser().get(`${s.authUrl}/healthz`, { method: 'POST' });
    assert.equal(r.status, 405);
  });
});

describe('/metrics', () => {
  let s: Stack;
  before(async () => { s = await startStack({ compose: directoryWiring(), extra: { admin: { metricsToken: 'scrape-secret-123' } } }); });
  after(async () => { await s.close(); });

  test('needs the bearer token when admin.metricsToken is set', async () => {
    const b = s.browser();
    const none = await b.get(`${s.authUrl}/metrics`);
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const wrong = await b.get(`${s.authUrl}/metrics`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
  });

  test('counts requests per app and action, sessions, SCIM requests and feed freshness', async () => {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
    for (let i = 0; i < 3; i++) assert.equal((await b.get(`${s.wikiUrl}/page`)).status, 200);
    assert.equal((await s.browser().get(`${s.payrollUrl}/`)).status, 302);
    const token = (await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'entra', now: Date.now() })).token;
    await s.browser().get(`${s.authUrl}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
    await s.browser().get(`${s.authUrl}/scim/v2/Users`);
    const r = await s.browser().get(`${s.authUrl}/metrics`, { headers: { authorization: 'Bearer scrape-secret-123' } });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(r.body, /^moatless_http_requests_total\{app="wiki",action="allow"\} 3$/m);
    assert.match(r.body, /^moatless_http_requests_total\{app="payroll",action="authenticate"\} 1$/m);
    assert.match(r.body, /^moatless_http_request_duration_seconds_count\{app="wiki",action="allow"\} 3$/m);
    assert.match(r.body, /^moatless_http_request_duration_seconds_bucket\{app="wiki",action="allow",le="\+Inf"\} 3$/m);
    assert.match(r.body, /^moatless_sessions_active 2$/m, 'one global and one app session');
    assert.match(r.body, /^moatless_scim_requests_total\{method="GET",status="200"\} 1$/m);
    assert.match(r.body, /^moatless_scim_requests_total\{method="GET",status="401"\} 1$/m);
    assert.match(r.body, /^moatless_change_feed_fresh 1$/m);
    assert.match(r.body, /^moatless_process_cpu_seconds_total /m);
    assert.doesNotMatch(r.body, /^moatless_risk_users\{/m, 'no risk figures before a risk-sync cycle completed');
  });

  test('the risk sync\'s stored health: risky users per level, time of the last success, failures in a row', async () => {
    const at = Date.now() - 30_000;
    const health = {
      ...EMPTY_HEALTH, lastAttemptAt: at, lastSuccessAt: at, lastFullAt: at, lastCycleId: 'c1', lastMode: 'full', durationMs: 1500,
      counts: { high: 2, medium: 5, low: 11 }, needsFull: false, consecutiveFailures: 0,
    };
    await writeHealth(s.moatless.store.kv, health as RiskHealth);
    const r = await s.browser().get(`${s.authUrl}/metrics`, { headers: { authorization: 'Bearer scrape-secret-123' } });
    assert.match(r.body, /^moatless_risk_users\{level="high"\} 2$/m);
    assert.match(r.body, /^moatless_risk_users\{level="low"\} 11$/m);
    assert.match(r.body, /^moatless_risk_sync_last_duration_seconds 1\.5$/m);
    assert.match(r.body, /^moatless_risk_sync_consecutive_failures 0$/m);
    const last = Number(/^moatless_risk_sync_last_success_timestamp_seconds (\S+)$/m.exec(r.body)?.[1]);
    assert.equal(last, at / 1000);
  });
});

describe('/metrics without a token', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  test('answers a direct loopback connection, refuses a forwarded one', async () => {
    const ok = await s.browser().get(`${s.authUrl}/metrics`);
    assert.equal(ok.status, 200);
    const relayed = await s.browser().get(`${s.authUrl}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(relayed.status, 403);
    assert.match(relayed.body, /admin\.metricsToken/);
  });
});
