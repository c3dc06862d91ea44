// The gateway log's stdout line: one JSON line per request, in the shape pino writes
// ({"level":30,"time":…,<the logger's bindings>,"type":"gateway","at":…,<entry fields>}), handed
// straight to the process logger's destination. Why not `logger.info(entry)`: pino copies the
// entry and runs the logger's redaction paths on every call — about a tenth of a proxied request's
// CPU (issue 20). Nothing here needs redacting: an entry is flat (strings, numbers, string arrays)
// and never holds headers, cookies or credentials, while every redaction path names a nested field.
// Lines are gathered into ~16 KB chunks before they reach the destination (sonic-boom measures and
// copies every string it is given); the gateway log flushes them every second and on close, so a
// gateway line may follow a later non-gateway line by up to 1 s. Same technique as Access's line
// writer (src/access/access-log-line.ts). Must not: hold more than one chunk, or write when `info`
// is off.
import { pino, type Logger } from 'pino';
import type { GatewayLogEntry } from '../store/ports.ts';

/** Every entry field but `time` (written as `at`), in the entry's order; the check below fails to compile when one is missing. */
const FIELDS = [
  'requestId', 'userKey', 'email', 'groups', 'host', 'url', 'method', 'action', 'policy', 'reasons', 'status', 'bytes', 'isolation', 'clientIp',
] as const satisfies readonly (keyof GatewayLogEntry)[];
type Unlisted = Exclude<keyof GatewayLogEntry, 'time' | (typeof FIELDS)[number]>;
const everyField: [Unlisted] extends [never] ? true : Unlisted = true;
void everyField;

interface PinoInternals {
  [pino.symbols.timeSym]: () => string;
  [pino.symbols.chindingsSym]: string;
  [pino.symbols.streamSym]: { write(line: string): unknown };
}

const CHUNK = 16_384;

export interface GatewayLineWriter {
  write(e: GatewayLogEntry): void;
  flush(): void;
}

export function gatewayLineWriter(logger: Logger): GatewayLineWriter {
  const internals = logger as unknown as PinoInternals;
  const dest = internals[pino.symbols.streamSym];
  const level = logger.levels.values.info ?? 30;
  let lastTime = Number.NaN;
  let lastIso = '';
  let chunk = '';
  const flush = () => {
    if (chunk === '') return;
    const out = chunk;
    chunk = '';
    try {
      dest.write(out);
    } catch {
      // a destination closed under us (shutdown): never fail a request for a log line
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
      let line = `{"level":${level}${internals[pino.symbols.timeSym]()}${internals[pino.symbols.chindingsSym]},"type":"gateway","at":"${lastIso}"`;
      for (const f of FIELDS) {
        const v = e[f];
        line += `,"${f}":${typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : JSON.stringify(v ?? null)}`;
      }
      chunk += `${line}}\n`;
      if (chunk.length >= CHUNK) flush();
    },
  };
}
