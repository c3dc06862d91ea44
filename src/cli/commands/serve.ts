// `moatless serve` and `moatless demo`: load the config, start development helpers when the config
// asks for them (loudly), start the server, reload on SIGHUP or file change, drain on SIGTERM.
// With `server.workers` > 1 the same steps run as a cluster (../cluster.ts).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServices, type DevServices } from '../dev-services.ts';
import { demoBanner, hostUrl, usesDemoTenant } from '../demo-banner.ts';
import { listenFailure } from '../port-in-use.ts';
import type { ResolvedConfig } from '../../config/load.ts';
import { flag, type ParsedArgs } from '../args.ts';
import { isClusterWorker, runClusterPrimary, runClusterWorker, workerCount } from '../cluster.ts';
import { startMoatless, type MoatlessProcess } from '../compose.ts';
import { withConfig } from '../load-config.ts';
import { guardProcess } from '../process-guard.ts';
import { serveWiring } from '../serve-wiring.ts';

const DEMO_CONFIG = resolve(fileURLToPath(new URL('../../../demo/moatless.yaml', import.meta.url)));

export async function demo(args: ParsedArgs): Promise<number> {
  if (!args.flags.has('config')) args.flags.set('config', DEMO_CONFIG);
  return serve(args);
}

export function serve(args: ParsedArgs): Promise<number> {
  return withConfig(args, (cfg) => run(cfg, args));
}

async function run(cfg: ResolvedConfig, args: ParsedArgs): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const composeOpts = serveWiring({ watchConfig: !args.flags.has('no-watch') });
  if (isClusterWorker()) return runClusterWorker(cfg, composeOpts);
  const workers = workerCount(cfg.server.workers);
  if (workers > 1) {
    return runClusterPrimary(cfg, { workers, out, onListening: (urls, served) => banner(served, urls, out, workers) });
  }
  // The development helpers' lines wait until after the banner: the first URL printed is the one to open.
  const devLines: string[] = [];
  const flushDev = () => devLines.splice(0).forEach(out);
  let dev: DevServices | null = null;
  let m: MoatlessProcess;
  try {
    dev = await startDevServices(cfg, (line) => devLines.push(line));
    m = await startMoatless(cfg, composeOpts);
  } catch (err) {
    flushDev();
    await dev?.stop();
    const line = listenFailure(cfg, err);
    if (!line) throw err;
    process.stderr.write(`${line}\n`);
    return 1;
  }
  await dev.afterStart(m).catch((err: unknown) => {
    devLines.push(`dev: SCIM provisioning failed to start: ${(err as Error).message}`);
  });
  // The served config: the file's apps and those created through the admin API (in the store).
  banner(m.config(), m.listeners.map((l) => l.url), out, 1);
  flushDev();
  const devServices = dev;
  guardProcess({ logger: m.logger, registry: m.metrics.registry, drain: async () => { await m.close(); await devServices.stop(); }, drainDeadlineMs: cfg.server.shutdownGrace + 2_000 });
  return await new Promise<number>((done) => {
    const stop = async (signal: string) => {
      out(`moatless: ${signal}, finishing in-flight requests…`);
      await m.close();
      await devServices.stop();
      done(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => void m.reload().then((r) => out(r.ok ? 'moatless: config reloaded' : `moatless: reload rejected:\n${r.issues}`)));
  });
}

function banner(cfg: ResolvedConfig, urls: string[], out: (s: string) => void, workers: number): void {
  if (usesDemoTenant(cfg)) demoBanner(cfg).forEach(out);
  for (const url of urls) out(`moatless: listening on ${url}${workers > 1 ? ` (${workers} workers)` : ''}`);
  out(`moatless: auth host ${cfg.server.authUrl}`);
  const fromApi = new Set(cfg.apiObjects.filter((o) => o.kind === 'app').map((o) => o.id));
  for (const app of cfg.apps) {
    out(`moatless: app ${app.id.padEnd(12)} ${app.hosts.map((h) => hostUrl(cfg, h)).join(' ')}${fromApi.has(app.id) ? '  (admin API)' : ''}`);
  }
}
