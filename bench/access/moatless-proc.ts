// The benchmark's handle on a Moatless child process: start it, wait for ready, send one command at
// a time and await its reply. Must not reach into the child's state any other way.
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../test/harness/ports.ts';
import { startNode } from '../lib/procs.ts';
import type { ChildCommand, ChildReply } from './moatless-child.ts';

const CHILD = new URL('./moatless-child.ts', import.meta.url).pathname;

export interface MoatlessChild {
  port: number;
  pid: number;
  child: ChildProcess;
  ask<T extends ChildReply['type']>(cmd: ChildCommand, expect: T): Promise<Extract<ChildReply, { type: T }>>;
  stop(): void;
}

function nextReply(child: ChildProcess, timeoutMs: number): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no reply from the Moatless child within ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: unknown) => done(null, m as ChildReply);
    const onExit = (code: number | null) => done(new Error(`the Moatless child exited (${code})`));
    function done(err: Error | null, m?: ChildReply) {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}

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
