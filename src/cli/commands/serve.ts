// `moatless serve` and `moatless demo`: load the config, start development helpers when the config
// asks for them (loudly), start the server, reload on SIGHUP or file change, drain on SIGTERM.
// With `server.workers` > 1 the same steps run as a cluster (../cluster.ts).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServices } from '../dev-services.ts';
import type { ResolvedConfig } from '../../config/load.ts';
import { flag, type ParsedArgs } from '../args.ts';
import { isClusterWorker, runClusterPrimary, runClusterWorker, workerCount } from '../cluster.ts';
import { startMoatless } from '../compose.ts';
import { withConfig } from '../load-config.ts';
import { directoryWiring } from '../directory-wiring.ts';
import { combineMounts, isolationWiring } from '../isolation-wiring.ts';

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
  const directory = directoryWiring();
  const composeOpts = { watchConfig: !args.flags.has('no-watch'), ...directory, mounts: combineMounts(directory.mounts, isolationWiring().mounts) };
  if (isClusterWorker()) return runClusterWorker(cfg, composeOpts);
  const workers = workerCount(cfg.server.workers);
  if (workers > 1) return runClusterPrimary(cfg, { workers, out, onListening: (urls) => banner(cfg, args, urls, out, workers) });
  const dev = await startDevServices(cfg, out);
  const m = await startMoatless(cfg, composeOpts);
  await dev.afterStart(m).catch((err: unknown) => out(`dev: SCIM provisioning failed to start: ${(err as Error).message}`));
  banner(cfg, args, m.listeners.map((l) => l.url), out, 1);
  return await new Promise<number>((done) => {
    const stop = async (signal: string) => {
      out(`moatless: ${signal}, finishing in-flight requests…`);
      await m.close();
      await dev.stop();
      done(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => void m.reload().then((r) => out(r.ok ? 'moatless: config reloaded' : `moatless: reload rejected:\n${r.issues}`)));
  });
}

function banner(cfg: ResolvedConfig, args: ParsedArgs, urls: string[], out: (s: string) => void, workers: number): void {
  for (const url of urls) out(`moatless: listening on ${url}${workers > 1 ? ` (${workers} workers)` : ''}`);
  out(`moatless: auth host ${cfg.server.authUrl}`);
  for (const app of cfg.apps) out(`moatless: app ${app.id.padEnd(12)} ${app.hosts.map((h) => `${listenerScheme(cfg)}://${h.host.replace('*.', 'any.')}${portSuffix(cfg)}${h.pathPrefix === '/' ? '/' : h.pathPrefix}`).join(' ')}`);
  if (flag(args, 'config') === DEMO_CONFIG) {
    out('');
    out('Demo: open http://wiki.localtest.me:8080/ and http://payroll.localtest.me:8080/ (localtest.me resolves to 127.0.0.1).');
    out('Users (password = first name): alice (Finance, passes Conditional Access c1), bob (Staff, fails c1), carol (many groups: overage).');
    out('Risk: bob is high risk in Entra ID Protection (group IdentityProtection-RiskyUser-RiskLevel-high, riskLevel: high). Raise anyone\'s:');
    out('  curl -X POST http://127.0.0.1:8090/_emulator/risk -d \'{"user":"alice@contoso.com","level":"high"}\'   # then `npm run moatless -- risk status --config demo/moatless.yaml`');
  }
}

function listenerScheme(cfg: ResolvedConfig): string {
  return cfg.server.listeners[0]?.tls ? 'https' : 'http';
}

function portSuffix(cfg: ResolvedConfig): string {
  const port = cfg.server.listeners[0]?.address.split(':').pop();
  return port === '80' || port === '443' ? '' : `:${port}`;
}
