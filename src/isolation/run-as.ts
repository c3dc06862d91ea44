// Which Unix account the remote browser runs as. Chromium refuses to run its sandbox as root, and
// `--no-sandbox` would defeat the point of isolation, so a root Moatless runs Chromium as an
// unprivileged account (`isolation.runAs`, created by scripts/setup-isolation-user.sh). Reads
// /etc/passwd; must not create accounts itself.
import { readFileSync } from 'node:fs';

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

export class RunAsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunAsError';
  }
}

/** null when Moatless is not root: Chromium then runs as Moatless's own user, sandbox on. */
export function resolveRunAs(name: string, passwd = '/etc/passwd', uid = process.getuid?.() ?? -1): RunAs | null {
  if (uid !== 0) return null;
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    throw new RunAsError(`cannot read ${passwd} to find the isolation user "${name}"`);
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] !== name || f.length < 4) continue;
    const u = Number(f[2]);
    const g = Number(f[3]);
    if (u === 0 || g === 0) throw new RunAsError(`isolation user "${name}" has uid or gid 0; it must be unprivileged`);
    return { uid: u, gid: g, name };
  }
  throw new RunAsError(`isolation user "${name}" does not exist; create it with `
    + `"useradd --system --no-create-home --shell /usr/sbin/nologin ${name}" (scripts/setup-isolation-user.sh)`);
}
