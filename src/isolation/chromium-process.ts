// One remote browser process: a throwaway profile directory, Chromium spawned as the unprivileged
// account in its own process group, the DevTools pipe, and teardown that leaves no process and no
// profile behind. Must not: pass `--no-sandbox`, or open a DevTools port.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CdpConnection } from './cdp-pipe.ts';
import { chromiumFlags, FORBIDDEN_FLAGS, type FlagOptions } from './chromium-flags.ts';
import type { RunAs } from './run-as.ts';

export interface LaunchOptions extends Omit<FlagOptions, 'profileDir'> {
  chromiumPath: string;
  /** The largest page a prepared browser's frames may have (a session sets its own viewport). */
  width: number;
  height: number;
  runAs: RunAs | null;
  profileBase?: string;
}

export interface ChromiumProcess {
  readonly pid: number;
  readonly cdp: CdpConnection;
  readonly profileDir: string;
  /** Resolves when the browser process has exited (crash or close). */
  readonly exited: Promise<void>;
  close(): Promise<void>;
}

const STDERR_TAIL = 4096;

export async function launchChromium(o: LaunchOptions): Promise<ChromiumProcess> {
  const profileDir = mkdtempSync(join(o.profileBase ?? tmpdir(), 'moatless-rbi-'));
  if (o.runAs) chownSync(profileDir, o.runAs.uid, o.runAs.gid);
  const args = chromiumFlags({ ...o, profileDir });
  if (args.some((a) => FORBIDDEN_FLAGS.some((f) => a.startsWith(f)))) throw new Error('refusing to start Chromium without its sandbox');
  let child: ChildProcess;
  try {
    child = spawn(o.chromiumPath, args, {
      // Its own process group, so teardown reaches the zygote, renderers and crashpad too.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      env: { HOME: profileDir, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', TMPDIR: profileDir },
      ...(o.runAs ? { uid: o.runAs.uid, gid: o.runAs.gid } : {}),
    });
  } catch (err) {
    rmSync(profileDir, { recursive: true, force: true });
    throw err;
  }
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => { stderr = (stderr + d).slice(-STDERR_TAIL); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  const cdp = new CdpConnection(child.stdio[4] as Readable, child.stdio[3] as Writable);
  const kill = () => {
    try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  };
  let closing: Promise<void> | null = null;
  const close = () => closing ??= (async () => {
    cdp.post('Browser.close');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    kill();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    rmSync(profileDir, { recursive: true, force: true });
  })();
  try {
    await Promise.race([
      cdp.send('Browser.getVersion'),
      spawnFailed,
      exited.then(() => { throw new Error(`Chromium exited at start: ${lastLine(stderr)}`); }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('Chromium did not answer within 20 s')), 20_000)),
    ]);
  } catch (err) {
    await close();
    throw err;
  }
  // A browser that dies on its own still leaves its group and profile behind: sweep them.
  void exited.then(() => { kill(); if (!closing) rmSync(profileDir, { recursive: true, force: true }); });
  return { pid: child.pid ?? -1, cdp, profileDir, exited, close };
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() && !l.includes('dbus'));
  return (lines.at(-1) ?? 'no output').slice(0, 300);
}
