// Runs one wrk measurement (loopback only) and returns the parsed result. Owns the wrk command line;
// must not decide what a good number is.
import { spawn } from 'node:child_process';
import { parseWrk, type WrkResult } from './wrk-parse.ts';

export interface WrkRun {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export async function runWrk(wrk: string, run: WrkRun): Promise<WrkResult> {
  const u = new URL(run.url);
  if (u.hostname !== '127.0.0.1') throw new Error(`wrk targets loopback only, not ${u.hostname}`);
  const args = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--latency', '--timeout', '5s'];
  for (const [k, v] of Object.entries(run.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(run.url);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text.slice(0, 400)}`))));
  });
  return parseWrk(out);
}
