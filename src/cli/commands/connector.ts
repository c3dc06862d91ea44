// `moatless connector --edge URL --token T`: parses flags and the optional ingress file, then runs
// the connector (src/tunnel/connector) until SIGTERM/SIGINT. Must not: hold connector logic.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { pino, type Logger } from 'pino';
import { processEnv } from '../../config/env.ts';
import { isLoopback, type EdgeTarget } from '../../tunnel/connector/edge-dial.ts';
import { compileIngress, ingressFlag } from '../../tunnel/connector/ingress.ts';
import { startConnector, type ConnectorOptions } from '../../tunnel/connector/index.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { packageVersion } from '../package-version.ts';

function edgeTargets(args: ParsedArgs): EdgeTarget[] {
  const edges = args.repeated.get('edge') ?? [];
  if (edges.length === 0) throw new UsageError('--edge URL is required (the auth host, e.g. https://auth.example.com)');
  const addresses = (args.repeated.get('edge-address') ?? []).map((a) => {
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(a);
    if (!m) throw new UsageError(`--edge-address "${a}": expected HOST:PORT`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  });
  if (addresses.length > 0 && edges.length > 1) throw new UsageError('--edge-address needs exactly one --edge');
  const caFile = flag(args, 'ca-file');
  const ca = caFile ? readFileSync(caFile) : undefined;
  const pin = flag(args, 'pin-sha256');
  if (pin !== undefined && !/^[A-Za-z0-9+/]{43}=$/.test(pin)) throw new UsageError('--pin-sha256: expected a base64 SHA-256 (44 characters)');
  return edges.flatMap((e) => {
    let url: URL;
    try { url = new URL(e); } catch { throw new UsageError(`--edge "${e}": not a URL`); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--edge "${e}": expected https://`);
    const where = addresses.length > 0 ? addresses : [null];
    // Plain HTTP would show the token to anyone on the path: only to this machine.
    if (url.protocol === 'http:' && !where.every((a) => isLoopback(a?.host ?? url.hostname))) {
      throw new UsageError(`--edge "${e}": plain http:// is allowed only to a loopback address; use https://`);
    }
    return where.map((address) => ({ url, address, ...(ca ? { ca } : {}), ...(pin ? { pinSha256: pin } : {}) }));
  });
}

function ingressRules(args: ParsedArgs) {
  const file = flag(args, 'ingress-file');
  const flags = args.repeated.get('ingress') ?? [];
  const url = flag(args, 'url');
  if (file && (flags.length > 0 || url)) throw new UsageError('use --ingress-file or --ingress/--url, not both');
  const raw: unknown = file ? parseYaml(readFileSync(file, 'utf8')) : { ingress: [...flags.map(ingressFlag), ...(url ? [{ service: url }] : [])] };
  const r = compileIngress(raw);
  if (!r.ok) throw new UsageError(`ingress rules:\n  ${r.issues.join('\n  ')}`);
  return r.rules;
}

/** The connector's options from its flags (what `moatless connector` runs; tests start it in-process). */
export function connectorOptions(args: ParsedArgs, logger: Logger): ConnectorOptions {
  const tokenFile = flag(args, 'token-file');
  const token = flag(args, 'token') ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : processEnv()['MOATLESS_TUNNEL_TOKEN']);
  if (!token) throw new UsageError('--token T (or --token-file, or MOATLESS_TUNNEL_TOKEN) is required');
  const connections = Number(flag(args, 'connections') ?? '2');
  if (!Number.isInteger(connections) || connections < 1 || connections > 16) throw new UsageError('--connections: 1 to 16');
  const assertionHeader = flag(args, 'assertion-header') ?? 'moatless-jwt-assertion';
  return {
    targets: edgeTargets(args), token, connections, rules: ingressRules(args),
    metricsAddress: flag(args, 'metrics') ?? '127.0.0.1:20241',
    requireAssertion: args.flags.has('require-assertion') ? { header: assertionHeader.toLowerCase(), audiences: args.repeated.get('audience') ?? [] } : null,
    version: packageVersion(), logger,
  };
}

export async function connector(args: ParsedArgs): Promise<number> {
  const logger = pino({ level: flag(args, 'log-level') ?? 'info' });
  const c = await startConnector(connectorOptions(args, logger));
  process.stdout.write(`moatless connector: health and metrics on ${c.metricsUrl}\n`);
  return new Promise<number>((done) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'connector stopping');
      void c.close().then(() => done(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
