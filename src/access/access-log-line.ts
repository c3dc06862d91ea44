// The access log's stdout line: one JSON line per decision, in the shape pino writes
// ({"level":30,"time":…,<the logger's bindings>,"type":"access","at":…,<entry fields>}), handed
// straight to the process logger's destination. Why not `logger.info(entry)`: pino runs the
// logger's redaction paths on every call, 14-35 µs a line — more than the rest of a proxied request
// (issue 17). Nothing here needs redacting: an entry is flat (strings, numbers, one string array)
// and never holds headers, cookies or tokens, while every redaction path names a nested field.
// Must not: buffer on its own (the destination batches writes) or write when `info` is off.
import { pino, type Logger } from 'pino';
import type { AccessLogEntry } from '../store/ports.ts';

/** Every entry field but `time` (written as `at`), in the entry's order; the check below fails to compile when one is missing. */
const FIELDS = [
  'requestId', 'userKey', 'email', 'appId', 'host', 'path', 'method', 'action', 'policy', 'reasons', 'status', 'durationMs', 'clientIp',
] as const satisfies readonly (keyof AccessLogEntry)[];
type Unlisted = Exclude<keyof AccessLogEntry, 'time' | (typeof FIELDS)[number]>;
const everyField: [Unlisted] extends [never] ? true : Unlisted = true;
void everyField;

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

export interface AccessLineWriter {
  write(e: AccessLogEntry): void;
}

/**
 * A writer for `logger`'s destination. `onDrop(lines)` hears of lines the destination threw away
 * because it was full (sonic-boom's `maxLength`, src/cli/logger.ts) or already closed.
 */
export function accessLineWriter(logger: Logger, onDrop: (lines: number) => void): AccessLineWriter {
  const internals = logger as unknown as PinoInternals;
  const dest = internals[pino.symbols.streamSym];
  dest.on?.('drop', (data) => onDrop(countLines(data)));
  const level = logger.levels.values.info ?? 30;
  // Requests finishing in the same millisecond share one formatted timestamp.
  let lastTime = Number.NaN;
  let lastIso = '';
  return {
    write(e) {
      if (!logger.isLevelEnabled('info')) return;
      // `at` rather than `time`: pino's own `time` key would appear twice in the JSON line.
      if (e.time !== lastTime) {
        lastTime = e.time;
        lastIso = new Date(e.time).toISOString();
      }
      let line = `{"level":${level}${internals[pino.symbols.timeSym]()}${internals[pino.symbols.chindingsSym]},"type":"access","at":"${lastIso}"`;
      for (const f of FIELDS) {
        const v = e[f];
        line += `,"${f}":${typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : JSON.stringify(v ?? null)}`;
      }
      line += '}\n';
      try {
        dest.write(line);
      } catch {
        onDrop(1); // a destination closed under us (shutdown): count it, never fail the request
      }
    },
  };
}

function countLines(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) n++;
  return Math.max(n, 1);
}
