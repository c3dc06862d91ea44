// The benchmark's handle on a Moatless child process: start it, wait for ready, send one command at
// a time and await its reply. Must not reach into the child's state any other way.
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../test/harness/ports.ts';
import { nextMessage, startNode } from '../lib/procs.ts';
import type { ChildCommand, ChildReply } from './moatless-child.ts';

const CHILD = new URL('./moatless-child.ts', import.meta.url).pathname;

export interface MoatlessChild {
  port: number;
  pid: number;
  child: ChildProcess;
  ask<T extends ChildReply['type']>(cmd: ChildCommand, expect: T): Promise<Extract<ChildReply, { type: T }>>;
  stop(): void;
}

const nextReply = (child: ChildProcess, timeoutMs: number) => nextMessage<ChildReply>(child, timeoutMs, 'Moatless child');

export async function startMoatlessChild(o: { apps: number; upstream: string; exposeGc?: boolean; workers?: number }): Promise<MoatlessChild> {
  const port = await freePort();
  const child = startNode(CHILD, [JSON.stringify({ apps: o.apps, upstream: o.upstream, port, workers: o.workers ?? 1 })], {}, o.exposeGc ? ['--expose-gc'] : []);
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
    stop() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    },
  };
}
