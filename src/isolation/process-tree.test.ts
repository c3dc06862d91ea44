import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStat, treeOf, usageOf, readProcTable, type ProcStat } from './process-tree.ts';

test('a /proc stat line whose command holds spaces and parentheses parses from the last ")"', () => {
  const line = '4242 (Chrome_Child (x) y) S 4000 4000 4000 0 -1 4194560 1 0 0 0 150 50 0 0 20 0 9 0 777 1000 2560 18446744073709551615';
  assert.deepEqual(parseStat(line), { pid: 4242, ppid: 4000, cpuTicks: 200, rssBytes: 2560 * 4096, startTicks: 777 });
  assert.equal(parseStat('garbage'), null);
});

test('a tree is the root and its descendants only, however deep', () => {
  const p = (pid: number, ppid: number): ProcStat => ({ pid, ppid, cpuTicks: 100, rssBytes: 1024, startTicks: 0 });
  const table = new Map([p(10, 1), p(11, 10), p(12, 11), p(13, 12), p(20, 1), p(21, 20)].map((x) => [x.pid, x]));
  assert.deepEqual(treeOf(10, table).map((x) => x.pid).sort(), [10, 11, 12, 13]);
  assert.deepEqual(usageOf(treeOf(10, table)), { processes: 4, rssBytes: 4096, cpuSeconds: 4 });
  assert.deepEqual(treeOf(99, table), []);
});

test('this process is found in the live table with its parent', () => {
  const me = readProcTable().get(process.pid);
  assert.equal(me?.ppid, process.ppid);
  assert.ok(me!.rssBytes > 0);
});
