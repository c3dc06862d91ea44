// Makes sure wrk and nginx exist: finds them on PATH, installs them with apt-get when we are root on
// Debian, and otherwise prints the exact command to run. Must not install anything else.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const INSTALL_HINT = 'apt-get update && apt-get install -y wrk nginx-light';

function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    const p = `${dir}/${name}`;
    if (dir && existsSync(p)) return p;
  }
  return null;
}

export interface Tools {
  wrk: string;
  nginx: string;
}

export function ensureTools(log: (line: string) => void): Tools {
  let wrk = which('wrk');
  let nginx = which('nginx');
  if (wrk && nginx) return { wrk, nginx };
  const canApt = process.getuid?.() === 0 && which('apt-get') !== null;
  if (!canApt) throw new Error(`wrk and nginx are required. Install them with:\n  sudo ${INSTALL_HINT}`);
  log(`installing the benchmark tools: ${INSTALL_HINT}`);
  for (const args of [['update'], ['install', '-y', 'wrk', 'nginx-light']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed; run it yourself:\n  ${INSTALL_HINT}`);
  }
  wrk = which('wrk');
  nginx = which('nginx');
  if (!wrk || !nginx) throw new Error(`wrk or nginx still missing after apt-get; run:\n  ${INSTALL_HINT}`);
  return { wrk, nginx };
}
