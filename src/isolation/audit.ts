// The isolation audit trail: every copy, paste, download, upload, print and navigation, with user and
// policy. Written to the structured log (`audit: "isolation"`) and kept in a small in-memory ring
// for the CLI and tests. The admin audit log can subscribe through `IsolationAudit` later.
import type { Logger } from 'pino';
import type { AuditEvent, IsolationAudit } from './types.ts';

export class LogAudit implements IsolationAudit {
  readonly #logger: Logger | null;
  readonly #recent: AuditEvent[] = [];
  readonly #max: number;

  constructor(logger: Logger | null, max = 1000) {
    this.#logger = logger;
    this.#max = max;
  }

  record(e: AuditEvent): void {
    this.#recent.push(e);
    if (this.#recent.length > this.#max) this.#recent.shift();
    this.#logger?.info({ audit: 'isolation', ...e }, `isolation ${e.kind}`);
  }

  recent(): readonly AuditEvent[] {
    return this.#recent;
  }
}
