// The benchmark's handle on a Moatless child process: start it, wait for ready, send one command at
// a time and await its reply. Must not reach into the child's state any other way. Its stdout (the
// access log) goes to a file, as a service manager would send it; MOATLESS_BENCH_PROF=<dir> runs the
// children under `--cpu-prof` (the profile is written when they stop).
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { freePort } from '../../test/harness/ports.ts';
import { nextMessage, startNode } from '../lib/procs.ts';
import type { ChildCommand, ChildReply } from './moatless-child.ts';
import type { BenchConfigOptions } from './moatless-config.ts';

const CHILD = new URL('./moatless-child.ts', import.meta.url).pathname;

export interface MoatlessChild {
  port: number;
  pid: number;
  child: ChildProcess;
  ask<T extends ChildReply['type']>(cmd: ChildCommand, expect: T): Promise<Extract<ChildReply, { type: T }>>;
  stop(): Promise<void>;
}

export type ChildOptions = Omit<BenchConfigOptions, 'port' | 'dir'> & {
  exposeGc?: boolean; logFile?: string; metrics?: boolean;
  /** Another checkout's copy of this child (same protocol): `--baseline=<dir>`, a same-run A/B of two versions. */
  childScript?: string;
  /** Extra Node flags for the child (`--child-flags=…`: V8 settings measured against the default). */
  nodeFlags?: string[];
};

const nextReply = (child: ChildProcess, timeoutMs: number) => nextMessage<ChildReply>(child, timeoutMs, 'Moatless child');

export async function startMoatlessChild(o: ChildOptions): Promise<MoatlessChild> {
  const port = await freePort();
  const { exposeGc, logFile, childScript, nodeFlags, ...config } = o;
  const prof = process.env.MOATLESS_BENCH_PROF;
  const execArgv = [...(exposeGc ? ['--expose-gc'] : []), ...(nodeFlags ?? []), ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])];
  const fd = openSync(logFile ?? '/dev/null', 'a');
  const child = startNode(childScript ?? CHILD, [JSON.stringify({ ...config, port, workers: o.workers ?? 1 })], {}, execArgv, fd);
  closeSync(fd);
  const ready = await nextReply(child, 120_000);
  if (ready.type !== 'ready') throw new Error(`Moatless child failed to start: ${ready.type === 'error' ? ready.message : ready.type}`);
  return {
    port, pid: ready.pid, child,
    async ask(cmd, expect) {
      const p = nextReply(child, 600_000);
      child.send(cmd);
      const r = await p;
      if (r.type === 'error') throw new Error(`Moatless child: ${r.message}`);
      if (r.type !== expect) throw new Error(`Moatless child answered ${r.type}, expected ${expect}`);
      return r as never;
    },
    async stop() {
      if (child.pid === undefined || child.exitCode !== null) return;
      if (prof) {
        // A normal exit writes the CPU profile; a kill would lose it.
        const exited = new Promise((r) => child.once('exit', r));
        child.disconnect();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      }
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    },
  };
}
