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
  write(e: E): void;
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
  // The chunk is kept as its pieces and joined once when handed over: a line then allocates almost
  // nothing of its own (its values are strings that exist already), where building each line by
  // concatenation cost ~2.4 KB of garbage per request (issue 17, allocation profile).
  let parts: string[] = [];
  let size = 0;
  let lines = 0;
  const flush = () => {
    if (lines === 0) return;
    const out = parts.join('');
    const n = lines;
    parts = [];
    size = 0;
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
      if (!logger.isLevelEnabled('info')) return;
      if (e.time !== lastTime) {
        lastTime = e.time;
        lastIso = new Date(e.time).toISOString();
      }
      const time = internals[pino.symbols.timeSym]();
      const bindings = internals[pino.symbols.chindingsSym];
      parts.push(head, time, bindings, typeAndAt, lastIso, '"');
      size += 60 + time.length + bindings.length;
      for (let k = 0; k < fields.length; k++) {
        const v = e[fields[k]!] as LineValue;
        parts.push(prefixes[k]!);
        if (typeof v === 'string') {
          // What JSON.stringify would write, without making a new string when nothing needs escaping.
          if (NEEDS_ESCAPE.test(v)) parts.push(JSON.stringify(v));
          else parts.push('"', v, '"');
          size += v.length + 16;
        } else if (typeof v === 'number') {
          parts.push(Number.isFinite(v) ? String(v) : 'null');
          size += 24;
        } else {
          const text = JSON.stringify(v ?? null);
          parts.push(text);
          size += text.length + 16;
        }
      }
      parts.push('}\n');
      lines++;
      if (size >= CHUNK) flush();
    },
  };
}

/** Characters JSON.stringify escapes (quote, backslash, controls) or may (surrogates, when unpaired). */
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

function countLines(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}
