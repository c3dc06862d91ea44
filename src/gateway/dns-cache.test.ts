// The Gateway's DNS cache: one question per name within the TTL, shared while in flight, bounded,
// and never a way around the egress check. The injected lookup counts calls and touches no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachingResolver, DNS_NEGATIVE_TTL_MS } from './dns-cache.ts';
import { decide } from './decide.ts';
import type { Resolver } from './egress.ts';
import { compileGw } from '../policy/gateway-testing.ts';

function counting(answers: Record<string, string[] | string>) {
  const asked: string[] = [];
  const resolve: Resolver = async (host) => {
    asked.push(host);
    const a = answers[host];
    if (typeof a === 'string') throw Object.assign(new Error(`${a} ${host}`), { code: a });
    if (!a) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return a;
  };
  return { asked, resolve };
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

test('repeated lookups within the TTL ask once; after it expires the name is asked again', async () => {
  const { asked, resolve } = counting({ 'a.example': ['93.184.216.34'] });
  const c = clock();
  const cached = cachingResolver(resolve, { ttlMs: () => 30_000, now: c.now });
  for (let i = 0; i < 5; i++) assert.deepEqual(await cached('a.example'), ['93.184.216.34']);
  assert.equal(asked.length, 1);
  c.advance(29_999);
  await cached('A.Example');
  assert.equal(asked.length, 1, 'names are case-insensitive and still fresh');
  c.advance(1);
  await cached('a.example');
  assert.equal(asked.length, 2, 'expired: asked again');
});

test('concurrent lookups of one name share one in-flight question, also when it fails', async () => {
  let release!: (v: string[]) => void;
  let calls = 0;
  const slow: Resolver = () => { calls++; return new Promise((r) => { release = r; }); };
  const cached = cachingResolver(slow, { ttlMs: () => 30_000, now: Date.now });
  const all = Promise.all([cached('slow.example'), cached('slow.example'), cached('slow.example')]);
  release(['93.184.216.34']);
  assert.deepEqual(await all, [['93.184.216.34'], ['93.184.216.34'], ['93.184.216.34']]);
  assert.equal(calls, 1);

  const failing = counting({ 'flaky.example': 'EAI_AGAIN' });
  const f = cachingResolver(failing.resolve, { ttlMs: () => 30_000, now: Date.now });
  const results = await Promise.allSettled([f('flaky.example'), f('flaky.example')]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal(failing.asked.length, 1);
  await assert.rejects(f('flaky.example'), /EAI_AGAIN/);
  assert.equal(failing.asked.length, 2, 'a transient failure is not cached');
});

test('no such name is remembered briefly; 0 disables the cache', async () => {
  const { asked, resolve } = counting({});
  const c = clock();
  const cached = cachingResolver(resolve, { ttlMs: () => 30_000, now: c.now });
  await assert.rejects(cached('typo.example'), /ENOTFOUND/);
  await assert.rejects(cached('typo.example'), /ENOTFOUND/);
  assert.equal(asked.length, 1);
  c.advance(DNS_NEGATIVE_TTL_MS);
  await assert.rejects(cached('typo.example'), /ENOTFOUND/);
  assert.equal(asked.length, 2, 'the negative answer lives DNS_NEGATIVE_TTL_MS, not the positive TTL');

  const off = counting({ 'a.example': ['93.184.216.34'] });
  const uncached = cachingResolver(off.resolve, { ttlMs: () => 0, now: c.now });
  await uncached('a.example');
  await uncached('a.example');
  assert.equal(off.asked.length, 2);
});

test('the cache holds at most maxNames names, dropping the least recently used', async () => {
  const { asked, resolve } = counting({ 'a.example': ['1.1.1.1'], 'b.example': ['1.1.1.2'], 'c.example': ['1.1.1.3'] });
  const cached = cachingResolver(resolve, { ttlMs: () => 30_000, now: Date.now, maxNames: 2 });
  await cached('a.example');
  await cached('b.example');
  await cached('a.example'); // a is now the most recently used
  await cached('c.example'); // evicts b
  assert.deepEqual(asked, ['a.example', 'b.example', 'c.example']);
  await cached('a.example');
  await cached('c.example');
  assert.equal(asked.length, 3, 'a and c are still cached');
  await cached('b.example');
  assert.deepEqual(asked.slice(3), ['b.example'], 'b was dropped');
});

test('a cached private address is still refused by egress, checked as the address that would be dialled', async () => {
  const { asked, resolve } = counting({ 'rebind.example': ['169.254.169.254'] });
  const resolver = cachingResolver(resolve, { ttlMs: () => 30_000, now: Date.now });
  const env = { set: compileGw([]), resolver, ownListeners: [], now: Date.now() };
  for (let i = 0; i < 2; i++) {
    const plan = await decide(env, 'connect', { host: 'rebind.example', port: 443 }, '10.1.2.3', {});
    assert.equal(plan.destinationIp, '169.254.169.254');
    assert.equal(plan.egress.ok, false);
  }
  assert.equal(asked.length, 1, 'the second decision used the cached answer and still refused it');
});
