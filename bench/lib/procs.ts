// Child processes of the benchmark: every one is started in its own process group and recorded, so
// one cleanup kills each group (nginx workers, cluster workers) on success, failure or Ctrl-C.
// Must not kill anything it did not start.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts a program (detached = its own process group, so its forked workers die with it). */
export function startProgram(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return track(spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], detached: true }));
}

/** Starts a Node script with an IPC channel, under the same Node binary as the benchmark; `stdout`: a file descriptor. */
export function startNode(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, execArgv: string[] = [], stdout?: number): ChildProcess {
  return track(fork(script, args, { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', stdout ?? 'inherit', 'inherit', 'ipc'], detached: true }));
}

/** Sends SIGKILL to every recorded process group; synchronous so it also works in an 'exit' handler. */
export function killAll(): void {
  for (const c of children) {
    if (c.pid === undefined || c.exitCode !== null) continue;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // Already gone (ESRCH): nothing left to kill.
    }
  }
  children.clear();
}

let installed = false;
/** Kills the children on normal exit, on Ctrl-C / SIGTERM and on a crash. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Resolves once a TCP connect to 127.0.0.1:port succeeds; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Resident set size of a process in bytes, read from /proc (Linux), measured from outside it. */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** The child's next IPC message, or an error when it exits or stays silent for `timeoutMs`. */
export function nextMessage<T>(child: ChildProcess, timeoutMs: number, label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no reply from the ${label} within ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: unknown) => done(null, m as T);
    const onExit = (code: number | null) => done(new Error(`the ${label} exited (${code})`));
    function done(err: Error | null, m?: T) {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m as T);
    }
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}

/**
 * CPU time (user + system, ms) used so far by every process in a process group — a Moatless child
 * with its threads and cluster workers, or nginx with its workers — read from /proc/<pid>/stat.
 * On a box shared with other work, CPU per request is steadier than requests per second.
 */
/** CPU time (user + system, ms) of one process's main thread alone: the part a single-threaded event loop is bound by. */
export async function mainThreadCpuMs(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8').catch(() => '');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export async function groupCpuMs(pgid: number): Promise<number> {
  return (await groupsStat([pgid])).cpuMs[0]!;
}

/**
 * groupCpuMs of several process groups from one pass over /proc (in `pgids` order), and whether any
 * of a group's processes is running or runnable (state R) at that moment: on an oversubscribed box
 * a busy process may get too little CPU to look busy by its CPU time alone.
 */
export async function groupsStat(pgids: readonly number[]): Promise<{ cpuMs: number[]; running: boolean[] }> {
  const { readdir, readFile } = await import('node:fs/promises');
  const ticks = new Map(pgids.map((g) => [g, 0]));
  const running = new Set<number>();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    // Fields after the command (which may hold spaces): state ppid pgrp … utime(14) stime(15).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const g = Number(f[2]);
    const t = ticks.get(g);
    if (t === undefined) continue;
    ticks.set(g, t + Number(f[11]) + Number(f[12]));
    if (f[0] === 'R') running.add(g);
  }
  return { cpuMs: pgids.map((g) => ticks.get(g)! * 10), running: pgids.map((g) => running.has(g)) }; // USER_HZ is 100
}
