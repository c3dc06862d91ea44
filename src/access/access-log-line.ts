// The access log's stdout line: one JSON line per decision (`type: "access"`), written by the shared
// request-log line writer (log-line-writer.ts, which says why it bypasses `logger.info`). Owns only
// which entry fields the line carries, in which order.
import type { Logger } from 'pino';
import type { AccessLogEntry } from '../store/ports.ts';
import { logLineWriter, type LineWriter } from './log-line-writer.ts';

/** Every entry field but `time` (written as `at`), in the entry's order; the check below fails to compile when one is missing. */
const FIELDS = [
  'requestId', 'userKey', 'email', 'appId', 'host', 'path', 'method', 'action', 'policy', 'reasons', 'status', 'durationMs', 'clientIp',
] as const satisfies readonly (keyof AccessLogEntry)[];
type Unlisted = Exclude<keyof AccessLogEntry, 'time' | (typeof FIELDS)[number]>;
const everyField: [Unlisted] extends [never] ? true : Unlisted = true;
void everyField;

export type AccessLineWriter = LineWriter<AccessLogEntry>;

/** `onDrop(lines)` hears of lines the destination threw away (full or closed). */
export function accessLineWriter(logger: Logger, onDrop: (lines: number) => void): AccessLineWriter {
  return logLineWriter<AccessLogEntry, (typeof FIELDS)[number]>(logger, 'access', FIELDS, onDrop);
}
