// Reads moatless.yaml: YAML → schema → secrets → cross-reference checks. Every problem is reported at
// once with its path: the later stages run on whatever the earlier ones could parse. Nothing here has
// side effects beyond reading the file and its secret files.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { MoatlessConfig } from './schema/root.ts';
import { lowerFirst, type ConfigIssue } from './issues.ts';
import { parseConfigParts } from './parse.ts';
import { checkCertificatePair, resolveSecret, type CertificatePair, type SecretSources } from './secrets.ts';
import { validateReferences } from './validate.ts';
import type { CompiledPolicySet } from '../policy/types.ts';
import type { CompiledGatewaySet } from '../policy/gateway-types.ts';
import type { ConfigObjectRecord } from '../store/ports-config.ts';

/** The config with every secret resolved to its value. Never log this object whole. */
export interface ResolvedConfig extends MoatlessConfig {
  readonly sourcePath: string | null;
  readonly baseDir: string;
  readonly secrets: {
    /** IdPs configured with a client secret. */
    idpClientSecrets: ReadonlyMap<string, string>;
    /** Entra IdPs configured with a certificate instead (PEM certificate and private key). */
    idpClientCertificates: ReadonlyMap<string, CertificatePair>;
    serviceTokenSecrets: ReadonlyMap<string, string>;
    storageUrl: string | null;
    /** admin.metricsToken, resolved; null when /metrics is loopback-only. */
    metricsToken?: string | null;
    /** gateway.caKeySecret: encrypts the gateway CA's private key at rest (null: a generated key file). */
    gatewayCaKey: string | null;
    /** tunnel.relay.secret, resolved; null without relaying between replicas. */
    tunnelRelaySecret?: string | null;
    /** isolation.workers.secret, resolved; null without isolation workers. */
    isolationWorkerSecret?: string | null;
  };
  /** Each app's policies (by app index), compiled once by validation; the proxy serves these. */
  readonly policySets: readonly CompiledPolicySet[];
  /** The `gateway:` rules compiled once by validation; null without a gateway section. */
  readonly gatewayPolicies: CompiledGatewaySet | null;
  /** The file's own object, before API objects were layered on (layered.ts rebuilds from it). */
  readonly fileObject: unknown;
  /** Apps, policies and rule groups from the admin API served with the file's (layered.ts); [] from a file alone. */
  readonly apiObjects: readonly ConfigObjectRecord[];
}

export type LoadResult =
  | { ok: true; config: ResolvedConfig; warnings: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[]; warnings: ConfigIssue[] };

export interface LoadOptions {
  env: Readonly<Record<string, string | undefined>>;
}

export function loadConfigFile(path: string, opts: LoadOptions): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, issues: [{ path: '(file)', message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }], warnings: [] };
  }
  return loadConfigText(text, { ...opts, sourcePath: resolve(path) });
}

export function loadConfigText(text: string, opts: LoadOptions & { sourcePath?: string }): LoadResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    // Only the first: the parser's later errors mostly follow from it, and its position is exact.
    const at = first.linePos?.[0];
    const message = first.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
    const path = at ? `(yaml) line ${at.line}, column ${at.col}` : '(yaml)';
    return { ok: false, issues: [{ path, message: lowerFirst(message) }], warnings: [] };
  }
  return loadConfigObject(doc.toJS() ?? {}, opts);
}

export function loadConfigObject(raw: unknown, opts: LoadOptions & { sourcePath?: string }): LoadResult {
  const parsed = parseConfigParts(raw);
  const sourcePath = opts.sourcePath ?? null;
  const baseDir = sourcePath ? dirname(sourcePath) : process.cwd();
  const issues: ConfigIssue[] = [...parsed.issues];
  const src: SecretSources = { env: opts.env, baseDir };
  const cfg = parsed.config;

  const idpClientSecrets = new Map<string, string>();
  const idpClientCertificates = new Map<string, CertificatePair>();
  cfg.identityProviders?.forEach((idp, i) => {
    const path = `identityProviders[${i}]`;
    // The schema guarantees exactly one of the two for Entra; generic OIDC always has a secret.
    if (idp.clientSecret !== undefined) idpClientSecrets.set(idp.id, resolveSecret(idp.clientSecret, `${path}.clientSecret`, src, issues));
    if (idp.type === 'entra' && idp.clientCertificate) {
      const before = issues.length;
      const pair = {
        certificatePem: resolveSecret(idp.clientCertificate.certificate, `${path}.clientCertificate.certificate`, src, issues),
        privateKeyPem: resolveSecret(idp.clientCertificate.privateKey, `${path}.clientCertificate.privateKey`, src, issues),
      };
      if (issues.length === before) checkCertificatePair(pair, `${path}.clientCertificate`, issues);
      idpClientCertificates.set(idp.id, pair);
    }
  });
  const serviceTokenSecrets = new Map<string, string>();
  cfg.serviceTokens?.forEach((t, i) => {
    serviceTokenSecrets.set(t.name, resolveSecret(t.clientSecret, `serviceTokens[${i}].clientSecret`, src, issues));
  });
  const storage = cfg.storage;
  const storageUrl = storage?.kind === 'postgres' ? resolveSecret(storage.url, 'storage.url', src, issues) : null;
  const caKey = cfg.gateway?.caKeySecret;
  const gatewayCaKey = caKey !== undefined ? resolveSecret(caKey, 'gateway.caKeySecret', src, issues) : null;

  const metricsToken = cfg.admin?.metricsToken ? resolveSecret(cfg.admin.metricsToken, 'admin.metricsToken', src, issues) : null;
  const relay = cfg.tunnel?.relay;
  const tunnelRelaySecret = relay ? resolveSecret(relay.secret, 'tunnel.relay.secret', src, issues) : null;
  // A short shared secret could be guessed offline from one captured relay request.
  if (relay && tunnelRelaySecret !== null && tunnelRelaySecret !== '' && tunnelRelaySecret.length < 32) {
    issues.push({ path: 'tunnel.relay.secret', message: 'must be at least 32 characters (e.g. openssl rand -base64 32)' });
  }

  const workers = cfg.isolation?.workers;
  const isolationWorkerSecret = workers ? resolveSecret(workers.secret, 'isolation.workers.secret', src, issues) : null;
  // It proves every hop that carries users' session cookies: as long as the tunnel relay's.
  if (workers && isolationWorkerSecret !== null && isolationWorkerSecret !== '' && isolationWorkerSecret.length < 32) {
    issues.push({ path: 'isolation.workers.secret', message: 'must be at least 32 characters (e.g. openssl rand -base64 32)' });
  }

  const refs = validateReferences(cfg, parsed.broken);
  issues.push(...refs.issues);
  if (issues.length > 0) return { ok: false, issues, warnings: refs.warnings };
  // No issues: every section parsed, so this is the whole config.
  const config: ResolvedConfig = {
    ...(cfg as MoatlessConfig), sourcePath, baseDir, policySets: refs.policySets, gatewayPolicies: refs.gateway, fileObject: raw, apiObjects: [],
    secrets: { idpClientSecrets, idpClientCertificates, serviceTokenSecrets, storageUrl, metricsToken, gatewayCaKey, tunnelRelaySecret, isolationWorkerSecret },
  };
  return { ok: true, config, warnings: refs.warnings };
}
