// Placement over a real registry (SQLite kv): the verified worker with the most free slots wins;
// the auth host itself (when it runs browsers) wins a tie; a full or unreachable worker, and an
// entry signed with another secret, are never chosen; no room anywhere is null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../store/open-store.ts';
import { Placement } from './placement.ts';
import { WorkerAnnouncer, WorkerDirectory, type WorkerLoad } from './worker-registry.ts';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';
const quiet = { warn: () => {}, error: () => {} };

test('the most free slots wins; local wins a tie; full, unreachable and unverified workers are never chosen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-placement-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  try {
    const announce = (name: string, load: WorkerLoad, secret = SECRET) =>
      new WorkerAnnouncer({ kv: store.kv, secret, identity: { name, host: '10.0.0.1', port: 7480, tls: false }, load: () => load, logger: quiet }).announce();
    await announce('a', { capacity: 4, free: 1, sessions: 3 });
    await announce('b', { capacity: 4, free: 3, sessions: 1 });
    await announce('full', { capacity: 4, free: 0, sessions: 4 });
    await announce('forged', { capacity: 100, free: 100, sessions: 0 }, 'x'.repeat(40));
    const directory = new WorkerDirectory({ kv: store.kv, secret: SECRET, logger: quiet });
    let localFree: number | null = null;
    const placement = new Placement({ directory, localFree: () => localFree });
    const chosen = async () => {
      const t = await placement.choose();
      return t === null || t === 'local' ? t : t.name;
    };

    assert.deepEqual((await directory.live()).map((w) => w.name).sort(), ['a', 'b', 'full'], 'the forged entry does not verify');
    assert.equal(await chosen(), 'b');
    localFree = 3;
    assert.equal(await chosen(), 'local', 'a tie goes to the auth host itself (no hop)');
    localFree = null;
    placement.markUnreachable('b');
    assert.equal(await chosen(), 'a', 'an unreachable worker is left out');
    placement.markUnreachable('a');
    assert.equal(await chosen(), null, 'no room anywhere');
    assert.equal(await placement.find({ worker: 'b', host: '10.0.0.1', port: 7480, tls: false }), null, 'a lease naming an unreachable worker is not good');
    assert.equal((await placement.find({ worker: 'full', host: '10.0.0.1', port: 7480, tls: false }))?.name, 'full');
    assert.equal(await placement.find({ worker: 'full', host: '10.0.0.2', port: 7480, tls: false }), null, 'another address than registered');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
