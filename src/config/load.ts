// Reads moatless.yaml: YAML → schema → secrets → cross-reference checks. Every problem is reported at
// once with its path; nothing here has side effects beyond reading the file and its secret files.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { configSchema, type MoatlessConfig } from './schema/root.ts';
import { formatPath, type ConfigIssue } from './issues.ts';
import { checkCertificatePair, resolveSecret, type CertificatePair, type SecretSources } from './secrets.ts';
import { validateReferences } from './validate.ts';

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
  };
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
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((e) => ({ path: '(yaml)', message: e.message.split('\n')[0] ?? e.message })), warnings: [] };
  }
  return loadConfigObject(doc.toJS() ?? {}, opts);
}

export function loadConfigObject(raw: unknown, opts: LoadOptions & { sourcePath?: string }): LoadResult {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })), warnings: [] };
  }
  const sourcePath = opts.sourcePath ?? null;
  const baseDir = sourcePath ? dirname(sourcePath) : process.cwd();
  const issues: ConfigIssue[] = [];
  const src: SecretSources = { env: opts.env, baseDir };
  const cfg = parsed.data;

  const idpClientSecrets = new Map<string, string>();
  const idpClientCertificates = new Map<string, CertificatePair>();
  cfg.identityProviders.forEach((idp, i) => {
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
  cfg.serviceTokens.forEach((t, i) => {
    serviceTokenSecrets.set(t.name, resolveSecret(t.clientSecret, `serviceTokens[${i}].clientSecret`, src, issues));
  });
  const storageUrl = cfg.storage.kind === 'postgres' ? resolveSecret(cfg.storage.url, 'storage.url', src, issues) : null;

  const metricsToken = cfg.admin.metricsToken ? resolveSecret(cfg.admin.metricsToken, 'admin.metricsToken', src, issues) : null;

  const refs = validateReferences(cfg);
  issues.push(...refs.issues);
  if (issues.length > 0) return { ok: false, issues, warnings: refs.warnings };
  const config: ResolvedConfig = { ...cfg, sourcePath, baseDir, secrets: { idpClientSecrets, idpClientCertificates, serviceTokenSecrets, storageUrl, metricsToken } };
  return { ok: true, config, warnings: refs.warnings };
}
