// What one remote browser costs the host: its process tree (the browser, zygotes, renderers, GPU and
// utility processes — found by parent pid, since sandboxed renderers live in their own PID
// namespaces and sessions but keep a host parent), their resident memory and CPU time. Reads /proc
// (Linux); a process that exits between two reads is skipped. Must not: follow processes outside
// the tree of the pid it is given.
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;
/** Kernel clock ticks per second (USER_HZ): 100 on every Linux ABI Node runs on. */
const TICKS_PER_SECOND = 100;

/** `startTicks`: when the process started, in clock ticks since boot. */
export interface ProcStat { pid: number; ppid: number; cpuTicks: number; rssBytes: number; startTicks: number }

/** One pass over /proc: every process's parent, CPU ticks (user + system) and resident set. */
export function readProcTable(proc = '/proc'): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    const s = parseStat(readOrNull(`${proc}/${name}/stat`));
    if (s) table.set(s.pid, s);
  }
  return table;
}

/** /proc/<pid>/stat: the command may contain spaces and parentheses, so fields start after the last ")". */
export function parseStat(text: string | null): ProcStat | null {
  if (!text) return null;
  const close = text.lastIndexOf(')');
  if (close === -1) return null;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // After ")": state(3) ppid(4) … utime(14) stime(15) … starttime(22) … rss(24), counted from field 3.
  const f = text.slice(close + 2).split(' ');
  const at = (n: number) => Number(f[n - 3]);
  if (!Number.isFinite(pid) || f.length < 22) return null;
  return { pid, ppid: at(4), cpuTicks: at(14) + at(15), rssBytes: at(24) * PAGE_BYTES, startTicks: at(22) };
}

/** `root` and all its descendants present in `table`. */
export function treeOf(root: number, table: Map<number, ProcStat>): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: ProcStat[] = [];
  const first = table.get(root);
  if (!first) return out;
  const queue = [first];
  const seen = new Set<number>();
  while (queue.length) {
    const p = queue.shift()!;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    out.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

export interface TreeUsage { processes: number; rssBytes: number; cpuSeconds: number }

export function usageOf(tree: ProcStat[]): TreeUsage {
  let rss = 0;
  let ticks = 0;
  for (const p of tree) { rss += p.rssBytes; ticks += p.cpuTicks; }
  return { processes: tree.length, rssBytes: rss, cpuSeconds: ticks / TICKS_PER_SECOND };
}

/**
 * Proportional set size of the tree (shared pages split among the processes sharing them): what the
 * tree adds to the host, where summed RSS counts Chromium's shared code once per process. Slower
 * than RSS (the kernel walks the page tables), so read every few seconds, not per frame.
 */
export function pssBytes(tree: ProcStat[], proc = '/proc'): number {
  let kb = 0;
  for (const p of tree) {
    const m = /^Pss:\s+(\d+) kB/m.exec(readOrNull(`${proc}/${p.pid}/smaps_rollup`) ?? '');
    if (m) kb += Number(m[1]);
  }
  return kb * 1024;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
