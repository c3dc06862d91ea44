// The Moatless edge config for the tunnel benchmark: the same Staff-only Access app three times,
// differing only in the upstream — `direct` goes to the nginx backend over TCP, `tun` and `bulk`
// go through `tunnel:bench` (the connector sends bulk's host to the byte origin). SQLite in a
// folder the parent keeps, so a restarted edge finds the same token and sessions.
// Must not start anything.
import { join } from 'node:path';
import { loadConfigObject, type ResolvedConfig } from '../../src/config/load.ts';
import { CLIENT_ID, TENANT } from '../../test/harness/stack.ts';
import { STAFF_GROUP } from '../access/moatless-config.ts';

export const TUNNEL = 'bench';
export const HOSTS = {
  direct: 'direct.bench.localtest.me', tun: 'tun.bench.localtest.me', bulk: 'bulk.bench.localtest.me',
};
export type AppName = keyof typeof HOSTS;
export const APPS = Object.keys(HOSTS) as AppName[];

export function edgeConfig(o: { port: number; backend: number; dir: string }): ResolvedConfig {
  const policies = [{ name: 'staff', action: 'allow', include: [{ group: ['Staff', STAFF_GROUP] }] }];
  const upstream = (a: AppName) => (a === 'direct' ? `http://127.0.0.1:${o.backend}` : `tunnel:${TUNNEL}`);
  const raw = {
    server: {
      listeners: [{ address: `127.0.0.1:${o.port}` }], authUrl: `http://auth.bench.localtest.me:${o.port}`,
      shutdownGrace: '1s',
      // A 1 GiB upload is answered only once it is all counted: allow more than the default 60 s.
      timeouts: { upstreamHeaders: '10m' },
    },
    // Nobody signs in (sessions are made through SessionService): the authority is never contacted.
    identityProviders: [{
      id: 'entra', type: 'entra', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'bench-secret',
      authorityUrl: 'http://127.0.0.1:9',
    }],
    apps: APPS.map((a) => ({ id: a, name: `Bench ${a}`, hosts: [HOSTS[a]], upstream: upstream(a), policies })),
    storage: { kind: 'sqlite', path: join(o.dir, 'moatless.db') },
    logging: { level: 'warn', accessLog: false },
  };
  const r = loadConfigObject(raw, { env: {}, sourcePath: join(o.dir, 'moatless.yaml') });
  const issues = r.ok ? '' : r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  if (!r.ok) throw new Error(`tunnel bench config invalid:\n${issues}`);
  return r.config;
}
