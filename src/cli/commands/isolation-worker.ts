// `moatless isolation-worker [--config moatless.yaml] [--name N] [--listen HOST:PORT] [--advertise HOST:PORT]`:
// runs remote browsers for the auth hosts sharing this store (docs/isolation.md, "Isolation
// workers on other hosts") until SIGTERM/SIGINT, then ends its sessions and leaves the registry.
import { flag, type ParsedArgs } from '../args.ts';
import { startIsolationWorker, WorkerConfigError, type RunningWorker } from '../isolation-worker.ts';
import { withConfig } from '../load-config.ts';
import { Registry } from 'prom-client';
import { guardProcess } from '../process-guard.ts';

export function isolationWorker(args: ParsedArgs): Promise<number> {
  return withConfig(args, async (cfg) => {
    const out = (s: string) => process.stdout.write(`${s}\n`);
    let w: RunningWorker;
    try {
      w = await startIsolationWorker(cfg, { name: flag(args, 'name'), listen: flag(args, 'listen'), advertise: flag(args, 'advertise') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!(err instanceof WorkerConfigError) && code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
      const hint = err instanceof WorkerConfigError ? '' : ': change isolation.worker.listen (or --listen)';
      process.stderr.write(`moatless isolation-worker: ${(err as Error).message}${hint}\n`);
      return 1;
    }
    const { name, host, port, tls } = w.identity;
    out(`moatless isolation-worker: ${name} listening for auth hosts, registered as ${tls ? 'https' : 'http'}://${host}:${port}`);
    guardProcess({ logger: w.logger, registry: new Registry(), drain: () => w.close(), drainDeadlineMs: cfg.server.shutdownGrace + 2_000 });
    return await new Promise<number>((done) => {
      const stop = async (signal: string) => {
        out(`moatless isolation-worker: ${signal}, ending its sessions…`);
        await w.close();
        done(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    });
  });
}
