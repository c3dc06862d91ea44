// Builds the Moatless config object the benchmarks run: N protected apps on one upstream, each with
// the same Staff policy the scenario harness uses, SQLite in a temp dir, the access log as users run
// it (on by default: one JSON line per request on stdout, plus the store copy), optionally HTTPS.
// Must not start anything (the child process and the decision timing do that).
import { join } from 'node:path';
import { loadConfigObject, type ResolvedConfig } from '../../src/config/load.ts';
import { CLIENT_ID, TENANT } from '../../test/harness/stack.ts';

export const STAFF_GROUP = 'a1000000-0000-4000-8000-000000000002';

export const appId = (i: number): string => `app-${String(i).padStart(5, '0')}`;
export const appHost = (i: number): string => `${appId(i)}.bench.localtest.me`;

export interface BenchConfigOptions {
  apps: number;
  upstream: string;
  port: number;
  dir: string;
  /** server.workers: 1 (default) or more for cluster mode. */
  workers?: number;
  /** logging.accessLog; default true, the production default. */
  accessLog?: boolean;
  /** A second listener speaking TLS with this certificate. */
  tls?: { port: number; cert: string; key: string };
}

export function benchConfig(o: BenchConfigOptions): ResolvedConfig {
  const apps = Array.from({ length: o.apps }, (_, i) => ({
    id: appId(i), name: `App ${i}`, hosts: [appHost(i)], upstream: o.upstream,
    policies: [{ name: 'staff', action: 'allow', include: [{ group: ['Staff', STAFF_GROUP] }] }],
  }));
  const raw = {
    server: { listeners: [{ address: `127.0.0.1:${o.port}` }, ...(o.tls ? [{ address: `127.0.0.1:${o.tls.port}`, tls: { certFile: o.tls.cert, keyFile: o.tls.key } }] : [])], authUrl: `http://auth.bench.localtest.me:${o.port}`, shutdownGrace: '1s', workers: o.workers ?? 1 },
    // Nobody signs in here (sessions are made through SessionService), so the authority is never
    // contacted: discovery is lazy.
    identityProviders: [{ id: 'entra', type: 'entra', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'bench-secret', authorityUrl: 'http://127.0.0.1:9' }],
    apps,
    storage: { kind: 'sqlite', path: join(o.dir, 'moatless.db') },
    logging: { level: 'info', format: 'json', accessLog: o.accessLog ?? true },
  };
  const r = loadConfigObject(raw, { env: {}, sourcePath: join(o.dir, 'moatless.yaml') });
  if (!r.ok) throw new Error(`bench config invalid:\n${r.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  return r.config;
}

/** The identity a benchmark session carries: a Staff member, as if signed in through Entra. */
export function benchIdentity(n: number) {
  const email = `user${n}@contoso.com`;
  return { userKey: `${TENANT}:${email}`, email, idp: 'entra', groups: [STAFF_GROUP], groupNames: ['Staff'], amr: ['pwd'], acrs: [], claims: {} };
}
