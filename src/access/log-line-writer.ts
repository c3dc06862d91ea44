// A request log's stdout line (Access's and the Gateway's): one JSON line per entry, in the shape
// pino writes ({"level":30,"time":…,<the logger's bindings>,"type":<type>,"at":…,<entry fields>}),
// handed straight to the process logger's destination. Why not `logger.info(entry)`: pino copies
// the entry and runs the logger's redaction paths on every call, 14-35 µs a line — more than the
// rest of a proxied request (issues 17 and 20). Nothing here needs redacting: an entry is flat
// (strings, numbers, string arrays) and never holds headers, cookies, tokens or credentials, while
// every redaction path names a nested field. Lines are gathered into ~16 KB chunks before they
// reach the destination (sonic-boom measures and copies every string it is given; per line that
// was half the line's cost); the owner flushes every second and on close, so a line may follow a
// later line of another kind by up to 1 s. Must not: hold more than one chunk, or write when `info`
// is off.
import { pino, type Logger } from 'pino';

interface Destination {
  write(line: string): unknown;
  on?(event: 'drop', fn: (data: string) => void): unknown;
}

/** pino's own parts of a line: the current time fragment, the bindings and the destination. */
interface PinoInternals {
  [pino.symbols.timeSym]: () => string;
  [pino.symbols.chindingsSym]: string;
  [pino.symbols.streamSym]: Destination;
}

export interface LineWriter<E> {
  /**
   * Writes `e`'s line. Returns the entry's own JSON (every key, `time` included) when the line was
   * made from it — the request log's row can travel as that text instead of being serialized again —
   * else null (no line, or an entry of another shape).
   */
  write(e: E): string | null;
  /** Hands the lines gathered so far to the destination (the owner calls it every second and on close). */
  flush(): void;
}

/** An entry's scalar values; `time` is written as `at` (pino's own `time` key would appear twice). */
type LineValue = string | number | null | undefined | readonly string[];

/** Lines are handed over in chunks of about this size: per write, sonic-boom measures and copies. */
const CHUNK = 16_384;

/**
 * A writer of `type` lines for `logger`'s destination, with `fields` of each entry in that order.
 * `onDrop(lines)` hears of lines the destination threw away because it was full (sonic-boom's
 * `maxLength`, src/cli/logger.ts) or already closed.
 */
export function logLineWriter<E extends { time: number }, K extends keyof E & string>(
  logger: Logger, type: string, fields: readonly K[], onDrop: (lines: number) => void = () => {},
): LineWriter<E & Record<K, LineValue>> {
  const internals = logger as unknown as PinoInternals;
  const dest = internals[pino.symbols.streamSym];
  dest.on?.('drop', (data) => onDrop(countLines(data)));
  const level = logger.levels.values.info ?? 30;
  const head = `{"level":${level}`;
  const typeAndAt = `,"type":${JSON.stringify(type)},"at":"`;
  const prefixes = fields.map((f) => `,"${f}":`);
  // Requests finishing in the same millisecond share one formatted timestamp.
  let lastTime = Number.NaN;
  let lastIso = '';
  // Lines gathered since the last hand-over, as one string (V8 joins the pieces lazily, once, when
  // the destination measures it).
  let pending = '';
  let lines = 0;
  /** The entry's own keys in the order its JSON fast path needs: `time`, then `fields`. */
  const fastKeys = ['time', ...fields];
  const flush = () => {
    if (lines === 0) return;
    const out = pending;
    const n = lines;
    pending = '';
    lines = 0;
    try {
      dest.write(out);
    } catch {
      onDrop(n); // a destination closed under us (shutdown): count it, never fail the request
    }
  };
  return {
    flush,
    write(e) {
      if (!logger.isLevelEnabled('info')) return null;
      if (e.time !== lastTime) {
        lastTime = e.time;
        lastIso = new Date(e.time).toISOString();
      }
      const whole = hasKeys(e, fastKeys) ? JSON.stringify(e) : null;
      pending += `${head}${internals[pino.symbols.timeSym]()}${internals[pino.symbols.chindingsSym]}${typeAndAt}${lastIso}"${whole === null ? fieldByField(e) : afterTime(whole)}\n`;
      lines++;
      if (pending.length >= CHUNK) flush();
      return whole;
    },
  };

  /** `,"field":value,…}` for `fields` in order, an absent value as null: a line never carries a key that is not listed. */
  function fieldByField(e: E & Record<K, LineValue>): string {
    let out = '';
    for (let k = 0; k < fields.length; k++) out += `${prefixes[k]}${JSON.stringify(e[fields[k]!] ?? null)}`;
    return `${out}}`;
  }
}

/**
 * An entry whose own keys are exactly `time` then the listed fields (what the logs' entry builders
 * make) is written as its own JSON.stringify with the leading time cut off: 0.8 µs a line, where
 * writing value by value took 3 µs (issue 17). `{"time":<number>,…`: a number's JSON holds no comma,
 * so the first comma ends it.
 */
function afterTime(json: string): string {
  const comma = json.indexOf(',');
  return comma < 0 ? '}' : json.slice(comma);
}

/** Whether `e`'s own enumerable keys are exactly `keys`, in that order, with a numeric first value. */
function hasKeys(e: object, keys: readonly string[]): boolean {
  const own = Object.keys(e);
  if (own.length !== keys.length) return false;
  for (let i = 0; i < own.length; i++) if (own[i] !== keys[i]) return false;
  return typeof (e as Record<string, unknown>)[keys[0]!] === 'number';
}

function countLines(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}
