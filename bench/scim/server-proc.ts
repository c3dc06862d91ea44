// The benchmark's handle on the server child: start it, wait for `ready`, ask one command at a time,
// sample its RSS from /proc every 250 ms, and kill its process group. Must not reach into the
// child's state any other way, nor kill anything it did not start.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { nextMessage, startNode } from '../lib/procs.ts';
import type { ServerCommand, ServerReply, ServerStorage } from './server-child.ts';

const CHILD = new URL('./server-child.ts', import.meta.url).pathname;
type Ready = Extract<ServerReply, { type: 'ready' }>;

export interface ServerChild extends Omit<Ready, 'type'> {
  session(email: string, app: string): Promise<string>;
  rss: RssSampler;
  /** SIGTERM (the child closes its stack and deletes its temp dir), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const nextReply = (child: ChildProcess, timeoutMs: number) => nextMessage<ServerReply>(child, timeoutMs, 'server child');

/** VmRSS of a process in bytes (Linux /proc), or NaN once it is gone. Synchronous: cheap, 1 read. */
export function rssNow(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface RssSample { t: number; rss: number; phase: string }

/** Samples every `everyMs`; `mark(phase)` labels what follows, so growth can be told per phase. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;
  #phase = 'boot';

  constructor(pid: number, everyMs = 250) {
    this.#pid = pid;
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.#timer.unref();
    this.sample();
  }

  mark(phase: string): number {
    this.#phase = phase;
    return this.sample();
  }

  sample(): number {
    const rss = rssNow(this.#pid);
    if (Number.isFinite(rss)) this.samples.push({ t: Date.now(), rss, phase: this.#phase });
    return rss;
  }

  get peak(): number {
    return this.samples.reduce((m, s) => Math.max(m, s.rss), 0);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export async function startServerChild(storage: ServerStorage): Promise<ServerChild> {
  const child = startNode(CHILD, [JSON.stringify(storage)]);
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  let ready: ServerReply;
  try {
    ready = await nextReply(child, 120_000);
  } catch (err) {
    stop();
    throw err;
  }
  if (ready.type !== 'ready') {
    stop();
    throw new Error(`server child failed to start: ${ready.type === 'error' ? ready.message : ready.type}`);
  }
  const rss = new RssSampler(ready.pid);
  // One command at a time: replies carry no correlation id.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = (cmd: ServerCommand): Promise<ServerReply> => {
    const p = queue.then(() => {
      const r = nextReply(child, 60_000);
      child.send(cmd);
      return r;
    });
    queue = p.catch(() => undefined);
    return p;
  };
  return {
    port: ready.port, pid: ready.pid, token: ready.token, authHost: ready.authHost, wikiHost: ready.wikiHost, rss,
    async session(email, app) {
      const r = await ask({ cmd: 'session', email, app });
      if (r.type !== 'session') throw new Error(`server child: ${r.type === 'error' ? r.message : r.type}`);
      return r.secret;
    },
    async stop(graceMs = 5_000) {
      rss.stop();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((res) => child.once('exit', () => res()));
      try { child.kill('SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(stop, graceMs);
      await exited;
      clearTimeout(timer);
      stop(); // anything left in its process group
    },
  };
}
