// The child-process harness leaves nothing running when a wait fails: on a timeout or an early exit
// it kills the child's whole process group (here a grandchild the child started) before rejecting;
// stop() does the same when a child does not exit on SIGTERM in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startProcess } from './processes.ts';

/** A child that starts a long-lived grandchild in its own group, prints both pids, then runs `then`. */
const parent = (then: string) => `
  const { spawn } = require('node:child_process');
  const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  console.log('pids', process.pid, g.pid);
  ${then}`;

const NEVER = /never printed/;

const pidsIn = (message: string): number[] => {
  const m = /pids (\d+) (\d+)/.exec(message);
  assert.ok(m, `the child printed its pids:\n${message}`);
  return [Number(m[1]), Number(m[2])];
};

/** Gone, or a zombie (killed, waiting for its new parent to reap it). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

/** The grandchild is not our child: no exit event to await, so its /proc entry is polled (≤ 2 s). */
async function assertGone(pids: number[]): Promise<void> {
  for (let i = 0; i < 40 && !pids.every(gone); i++) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids) assert.ok(gone(pid), `process ${pid} was killed`);
}

test('a wait that times out kills the child and everything in its process group', async () => {
  const error = await startProcess(process.execPath, ['-e', parent('setInterval(() => {}, 1e6);')], NEVER, {}, 2_000)
    .then(() => assert.fail('resolved without its ready line'), (e: Error) => e);
  assert.match(error.message, /timed out after 2000 ms waiting for \/never printed\//);
  await assertGone(pidsIn(error.message));
});

test('stop() kills the group when the child ignores SIGTERM past the grace period', async () => {
  const deaf = parent("process.on('SIGTERM', () => {}); setInterval(() => {}, 1e6);");
  const child = await startProcess(process.execPath, ['-e', deaf], /pids \d+ \d+/);
  await child.stop(300);
  await assertGone(pidsIn(child.output()));
});

test('a child that exits before its ready line has the rest of its group killed', async () => {
  const error = await startProcess(process.execPath, ['-e', parent('setTimeout(() => process.exit(3), 100);')], NEVER)
    .then(() => assert.fail('resolved without its ready line'), (e: Error) => e);
  assert.match(error.message, /exited with 3/);
  await assertGone(pidsIn(error.message));
});
