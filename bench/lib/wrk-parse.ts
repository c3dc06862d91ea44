// Parses the text wrk 4.x prints with `--latency` into numbers. Owns only the text format; must not
// run processes or judge results (the runner and the report do that).

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p75Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Responses outside 2xx/3xx: a benchmark with any of these measured an error page, not the app. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

export class WrkParseError extends Error {
  readonly code = 'wrk_parse';
}

// wrk's units_time (src/units.c): us, ms, s, m, h. Numbers are printed with "%.2f".
// The request total is a plain integer ("%"PRIu64 in wrk.c).
const TIME_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new WrkParseError(`not a wrk time: "${text}"`);
  return Number(m[1]) * TIME_MS[m[2]!]!;
}

function percentile(out: string, pct: number): number {
  const m = new RegExp(`^\\s*${pct}(?:\\.0+)?%\\s+(\\S+)\\s*$`, 'm').exec(out);
  if (!m) throw new WrkParseError(`no ${pct}% line: was wrk run with --latency?`);
  return parseDurationMs(m[1]!);
}

export function parseWrk(out: string): WrkResult {
  const total = /^\s*(\d+) requests in ([0-9.]+(?:us|ms|s|m|h)),/m.exec(out);
  if (!total) throw new WrkParseError('no "N requests in T" line in wrk output');
  const rps = /^Requests\/sec:\s+([0-9.]+)\s*$/m.exec(out);
  if (!rps) throw new WrkParseError('no "Requests/sec:" line in wrk output');
  const non2xx = /^\s*Non-2xx or 3xx responses:\s+(\d+)/m.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: Number(total[1]),
    durationS: parseDurationMs(total[2]!) / 1000,
    rps: Number(rps[1]),
    p50Ms: percentile(out, 50),
    p75Ms: percentile(out, 75),
    p90Ms: percentile(out, 90),
    p99Ms: percentile(out, 99),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock
      ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}
