// The process logger: pino, writing JSON lines (for log shippers) or short human lines (on a
// terminal), as `logging.format` says. Built by composition roots only; nothing else picks a format.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.ts';
import { prettyLine } from './pretty-log.ts';

const REDACT = [
  '*.clientSecret', '*.secret', '*.privateKeyPem', '*.token', 'req.headers.cookie', 'req.headers.authorization',
];

/** `auto` is pretty when stdout is a terminal: a person is reading, not a log shipper. */
export function wantsPretty(format: ResolvedConfig['logging']['format'], isTTY: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY);
}

/**
 * `buffered`: for processes that serve requests. A synchronous write per access-log line would be
 * one more syscall on every request; the buffer is flushed on close. Others (the cluster primary)
 * write each line at once, so a crash report is never left in a buffer.
 */
export interface LoggerOptions {
  base?: Record<string, unknown>;
  buffered?: boolean;
}

/**
 * Writes of 32-64 KB (one syscall per 90-180 access lines), at least every 250 ms so lines are not
 * held back on a quiet proxy; a stdout that stops draining (a stuck pipe) costs at most 32 MB, then
 * lines are dropped and counted (moatless_access_log_dropped_total{sink="stdout"}) — never a stall.
 */
const BUFFERED = { minLength: 32_768, maxWrite: 65_536, periodicFlush: 250, maxLength: 32 * 1024 * 1024 };

export function createLogger(cfg: ResolvedConfig, o: LoggerOptions = {}): Logger {
  const opts = { level: cfg.logging.level, base: { app: 'moatless', ...o.base }, redact: REDACT };
  const pretty = wantsPretty(cfg.logging.format, process.stdout.isTTY === true);
  if (pretty) return pino(opts, prettyDestination(process.stdout));
  const buffered = o.buffered ?? true;
  return pino(opts, pino.destination({ dest: 1, sync: !buffered, ...(buffered ? BUFFERED : {}) }));
}

/** A pino destination that rewrites each JSON line as a human one. */
export function prettyDestination(out: { write(s: string): unknown }): DestinationStream {
  return { write: (line: string) => void out.write(`${prettyLine(line)}\n`) };
}
