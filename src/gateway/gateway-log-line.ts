// The gateway log's stdout line: one JSON line per request (`type: "gateway"`), written by the
// shared request-log line writer (src/access/log-line-writer.ts, which says why it bypasses
// `logger.info`). Owns only which entry fields the line carries, in which order.
import type { Logger } from 'pino';
import { logLineWriter, type LineWriter } from '../access/log-line-writer.ts';
import type { GatewayLogEntry } from '../store/ports.ts';

/** Every entry field but `time` (written as `at`), in the entry's order; the check below fails to compile when one is missing. */
const FIELDS = [
  'requestId', 'userKey', 'email', 'groups', 'host', 'url', 'method', 'action', 'policy', 'reasons', 'status', 'bytes', 'isolation',
  'clientIp',
] as const satisfies readonly (keyof GatewayLogEntry)[];
type Unlisted = Exclude<keyof GatewayLogEntry, 'time' | (typeof FIELDS)[number]>;
const everyField: [Unlisted] extends [never] ? true : Unlisted = true;
void everyField;

export type GatewayLineWriter = LineWriter<GatewayLogEntry>;

/** `onDrop(lines)` hears of lines the destination threw away (full or closed). */
export function gatewayLineWriter(logger: Logger, onDrop?: (lines: number) => void): GatewayLineWriter {
  return logLineWriter<GatewayLogEntry, (typeof FIELDS)[number]>(logger, 'gateway', FIELDS, onDrop);
}
