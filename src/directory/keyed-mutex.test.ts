import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedMutex } from './keyed-mutex.ts';

test('holders of one key run one at a time, in arrival order; other keys do not wait', async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  const hold = (key: string, name: string, ms: number) => m.run(key, async () => {
    log.push(`${name} in`);
    await sleep(ms);
    log.push(`${name} out`);
  });
  await Promise.all([hold('a', 'a1', 20), hold('a', 'a2', 1), hold('b', 'b1', 1)]);
  assert.deepEqual(log, ['a1 in', 'b1 in', 'b1 out', 'a1 out', 'a2 in', 'a2 out']);
});

test('a failing holder releases the key, and an idle key is forgotten', async () => {
  const m = new KeyedMutex();
  await assert.rejects(m.run('a', () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await m.run('a', async () => 'next'), 'next');
  assert.equal(m.size, 0);
});
