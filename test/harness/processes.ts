// Real `moatless` child processes for scenarios that need separate processes (replicas, the CLI).
// Each child leads its own process group, so a wait that times out or fails kills it together with
// whatever it started (cluster workers, browsers), and none outlives the test process.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = resolve(ROOT, 'src/cli/main.ts');

export interface Child {
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM, then SIGKILL to the whole group if it has not exited within `graceMs`; also ends what it left behind. */
  stop(graceMs?: number): Promise<void>;
}

/** Children still running: killed with their groups if the test process exits first (a failed `before`). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of live) killGroup(proc);
});

function spawnInGroup(command: string, args: string[], env: Record<string, string>): ChildProcess {
  // detached: setsid(), so the child's pid is also its process group id (kill(-pid) reaches all).
  const proc = spawn(command, args, {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}

/** SIGKILL to the child's whole process group; a group already gone is fine. */
function killGroup(proc: ChildProcess): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Kills the group and resolves once the child itself has exited (at once if it already has). */
function killGroupAndWait(proc: ChildProcess): Promise<void> {
  const exited = proc.exitCode !== null || proc.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => proc.once('exit', () => r()));
  killGroup(proc);
  return exited;
}

async function stopGracefully(proc: ChildProcess, graceMs: number): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    // A shutdown that hangs must not hang the test file (its process cannot exit while the child runs).
    const timer = setTimeout(() => killGroup(proc), graceMs);
    await exited;
    clearTimeout(timer);
  }
  killGroup(proc);
}

/**
 * Starts `command args` and resolves once its output matches `ready`. If it exits first or
 * `timeoutMs` passes, its process group is killed and the promise rejects after the child is gone.
 */
export function startProcess(
  command: string, args: string[], ready: RegExp, env: Record<string, string> = {}, timeoutMs = 20_000,
): Promise<Child> {
  const proc = spawnInGroup(command, args, env);
  let out = '';
  let settled = false;
  return new Promise((resolvePromise, reject) => {
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void killGroupAndWait(proc).then(() => reject(new Error(`${message}:\n${out}`)));
    };
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms waiting for ${ready}`), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (settled || !ready.test(out)) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ proc, output: () => out, stop: (graceMs = 15_000) => stopGracefully(proc, graceMs) });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, signal) => fail(`${[command, ...args].join(' ')} exited with ${code ?? signal}`));
    proc.once('error', (e) => fail(`${command} could not run (${e.message})`));
  });
}

/** Starts `moatless …` and resolves once a line matching `ready` appears (or rejects on exit or timeout). */
export function startMoatlessProcess(
  args: string[], ready: RegExp, env: Record<string, string> = {}, timeoutMs = 20_000,
): Promise<Child> {
  return startProcess(process.execPath, [MAIN, ...args], ready, env, timeoutMs);
}

/** Runs a `moatless …` command to completion; after `timeoutMs` its process group is killed (code -1). */
export function runMoatless(
  args: string[], env: Record<string, string> = {}, timeoutMs = 120_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = spawnInGroup(process.execPath, [MAIN, ...args], env);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    stderr += `\n[test harness] killed after ${timeoutMs} ms`;
    killGroup(proc);
  }, timeoutMs);
  return new Promise((r) => proc.once('exit', (code) => {
    clearTimeout(timer);
    r({ code: code ?? -1, stdout, stderr });
  }));
}
