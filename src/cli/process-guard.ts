// What a serving process does with an error nothing caught. Node's default stops the process on an
// unhandled rejection: one forgotten `.catch` on a path an attacker can reach would end every user's
// requests, sessions and isolated browsers at once. Request paths answer or fail closed inside their
// own error boundaries before a stray promise can reject, so a rejection nobody awaited is logged
// with its stack, counted (moatless_unhandled_rejections_total) and the process goes on.
// A thrown exception that reached the event loop is different: the code that threw stopped half way
// and its state is unknown. The process logs it as fatal, drains (in-flight requests get the grace
// period, logs are flushed) and exits with EXIT_AFTER_UNCAUGHT so the supervisor restarts it — the
// cluster primary (server.workers > 1) or systemd's `Restart=on-failure` (docs/deploy.md).
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** EX_SOFTWARE (sysexits.h): an internal error, not a bad config (1) or bad usage (2). */
export const EXIT_AFTER_UNCAUGHT = 70;

export interface GuardedProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (err: Error) => void): unknown;
  exit(code: number): never;
}

export interface ProcessGuardDeps {
  logger: Logger;
  registry: Registry;
  /** Ends the server as SIGTERM would (in-flight requests finish, logs flushed). */
  drain: () => Promise<void>;
  /** Longest the drain may take before the process exits anyway. */
  drainDeadlineMs: number;
  proc?: GuardedProcess;
}

export function guardProcess(d: ProcessGuardDeps): void {
  const proc = d.proc ?? (process as unknown as GuardedProcess);
  const unhandled = new Counter({
    name: 'moatless_unhandled_rejections_total',
    help: 'Promise rejections no code handled; each is logged with its stack (a defect to report, the process keeps serving).',
    registers: [d.registry],
  });
  proc.on('unhandledRejection', (reason) => {
    unhandled.inc();
    d.logger.error({ err: reason instanceof Error ? reason : new Error(String(reason)) }, 'unhandled promise rejection (a Moatless defect: please report it with this line); still serving');
  });
  let exiting = false;
  proc.on('uncaughtException', (err) => {
    d.logger.fatal({ err }, 'uncaught exception: draining and exiting so the supervisor restarts a clean process');
    if (exiting) return;
    exiting = true;
    const exit = () => proc.exit(EXIT_AFTER_UNCAUGHT);
    setTimeout(exit, d.drainDeadlineMs);
    // The logger is buffered (logger.ts): the fatal line must reach stdout before the exit.
    d.drain().catch(() => undefined).finally(() => d.logger.flush(() => exit()));
  });
}
