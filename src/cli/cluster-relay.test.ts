// The primary's relay: a change reaches every other ready worker, the origin hears back only when
// all confirmed, a silent worker costs at most the deadline, and an exited worker is not waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterChangeMessage } from '../store/ipc-change-feed.ts';
import { ChangeRelay, type RelayPeer } from './cluster-relay.ts';

const warnings: object[] = [];
const logger = { warn: (o: object) => { warnings.push(o); } };

function peer(id: number): RelayPeer & { inbox: ClusterChangeMessage[] } {
  const inbox: ClusterChangeMessage[] = [];
  return { id, inbox, send: (m) => { inbox.push(m); } };
}

function cluster(n: number, timeoutMs = 1_000) {
  const relay = new ChangeRelay({ timeoutMs, logger });
  const peers = Array.from({ length: n }, (_, i) => peer(i + 1));
  for (const p of peers) relay.onMessage(p, { moatless: 'feed-ready' });
  return { relay, peers };
}

const done = (p: { inbox: ClusterChangeMessage[] }) => p.inbox.filter((m) => m.moatless === 'change-done');

test('a change goes to every other worker, and the origin hears back after the last confirmation', () => {
  const { relay, peers: [a, b, c] } = cluster(3);
  relay.onMessage(a!, { moatless: 'change', id: 'x1', topic: 'sessions.revoked', payload: { sessionIds: ['s'] } });
  assert.deepEqual(a!.inbox, []);
  for (const p of [b!, c!]) assert.deepEqual(p.inbox, [{ moatless: 'change-deliver', id: 'x1', topic: 'sessions.revoked', payload: { sessionIds: ['s'] } }]);
  relay.onMessage(b!, { moatless: 'change-applied', id: 'x1' });
  assert.equal(done(a!).length, 0, 'still waiting for c');
  relay.onMessage(c!, { moatless: 'change-applied', id: 'x1' });
  assert.deepEqual(done(a!), [{ moatless: 'change-done', id: 'x1', missed: 0 }]);
});

test('a worker that never confirms delays the origin by the deadline only, and is logged', async () => {
  const { relay, peers: [a] } = cluster(2, 50);
  relay.onMessage(a!, { moatless: 'change', id: 'x2', topic: 't', payload: null });
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(done(a!), [{ moatless: 'change-done', id: 'x2', missed: 1 }]);
  assert.ok(warnings.some((w) => JSON.stringify(w).includes('"workers":[2]')));
});

test('an exited worker is dropped from the wait at once', () => {
  const { relay, peers: [a, b] } = cluster(2);
  relay.onMessage(a!, { moatless: 'change', id: 'x3', topic: 't', payload: 1 });
  relay.remove(b!.id);
  assert.deepEqual(done(a!), [{ moatless: 'change-done', id: 'x3', missed: 0 }]);
});

test('a worker not yet ready is not waited for; a lone worker is answered at once', () => {
  const relay = new ChangeRelay({ logger });
  const [a, b] = [peer(1), peer(2)];
  relay.onMessage(a, { moatless: 'feed-ready' });
  relay.onMessage(a, { moatless: 'change', id: 'x4', topic: 't', payload: 1 });
  assert.deepEqual(b.inbox, []);
  assert.deepEqual(done(a), [{ moatless: 'change-done', id: 'x4', missed: 0 }]);
});

test('messages of other protocols are left alone', () => {
  const { relay, peers: [a] } = cluster(1);
  assert.equal(relay.onMessage(a!, { moatless: 'listening', urls: [] }), false);
  assert.equal(relay.onMessage(a!, 'hello'), false);
  assert.equal(relay.onMessage(a!, { moatless: 'change', id: 42 }), false);
});
