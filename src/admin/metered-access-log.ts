// The access log with request metrics: every decision the proxy logs (HTTP, WebSocket, hand-off
// refusals) is also counted per app and action. Owns: that one extra call. Must not: change what
// is logged or when it is written.
import type { Logger } from 'pino';
import { AccessLog, type AccessLogOptions } from '../access/access-log.ts';
import type { AccessLogEntry, AccessLogStore } from '../store/ports.ts';
import type { RequestMetrics } from './request-metrics.ts';

export class MeteredAccessLog extends AccessLog {
  readonly #metrics: RequestMetrics;

  constructor(metrics: RequestMetrics, store: AccessLogStore, logger: Logger | null, opts?: AccessLogOptions) {
    super(store, logger, opts);
    this.#metrics = metrics;
  }

  override record(e: AccessLogEntry): void {
    this.#metrics.observe(e.appId ?? '', e.action, e.durationMs);
    super.record(e);
  }
}
