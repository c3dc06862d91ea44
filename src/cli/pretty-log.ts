// One pino JSON line → one short human line, for a terminal:
//   12:01:02 ALLOW alice@contoso.com GET wiki.localhost/ 200 1.2ms
//   12:01:03 WARN  re-checked live connections closed=1 why=feed
// Pure and total: a line it cannot parse is returned unchanged, never dropped.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Fields every line has or that say nothing to a person at a terminal.
const QUIET = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname']);

type Fields = Record<string, unknown>;

export function prettyLine(json: string): string {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    return json.trimEnd();
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return json.trimEnd();
  const f = o as Fields;
  const time = clock(f.time);
  if (f.type === 'access') return `${time} ${accessLine(f)}`;
  const level = LEVELS[Number(f.level)] ?? String(f.level ?? '');
  const rest = Object.entries(f).filter(([k]) => !QUIET.has(k)).map(([k, v]) => `${k}=${value(k, v)}`);
  return [time, level.padEnd(5), String(f.msg ?? ''), ...rest].join(' ');
}

function accessLine(f: Fields): string {
  const host = String(f.host ?? '').replace(/:\d+$/, '');
  const ms = Number(f.durationMs);
  const took = Number.isFinite(ms) ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms` : '';
  const refused = f.action !== 'allow' && Array.isArray(f.reasons) && f.reasons.length > 0;
  const reasons = refused ? ` (${(f.reasons as unknown[]).join(', ')})` : '';
  const who = typeof f.email === 'string' ? f.email : '-';
  const action = String(f.action ?? '').toUpperCase().padEnd(5);
  return `${action} ${who} ${f.method} ${host}${f.path} ${f.status} ${took}${reasons}`;
}

function clock(t: unknown): string {
  const d = new Date(typeof t === 'number' ? t : Date.now());
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function value(key: string, v: unknown): string {
  // Errors: the message is what a person needs at a glance; the JSON format keeps the stack.
  if (key === 'err' && typeof v === 'object' && v !== null && 'message' in v) {
    return JSON.stringify((v as { message: unknown }).message);
  }
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}
