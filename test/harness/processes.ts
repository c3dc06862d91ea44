// Real `moatless` child processes for scenarios that need separate processes (replicas, the CLI).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = resolve(ROOT, 'src/cli/main.ts');

export interface Child {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `moatless …` and resolves once a line matching `ready` appears (or rejects on exit). */
export function startMoatlessProcess(args: string[], ready: RegExp, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<Child> {
  const proc = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${ready}:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolvePromise({
          proc, output: () => out,
          stop: () => new Promise((r) => {
            if (proc.exitCode !== null) return r();
            proc.once('exit', () => r());
            proc.kill('SIGTERM');
          }),
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moatless ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/** Runs a `moatless …` command to completion. */
export function runMoatless(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => proc.once('exit', (code) => r({ code: code ?? -1, stdout, stderr })));
}
