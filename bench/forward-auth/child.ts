// A Moatless process for the forward-auth benchmark: one app in `mode: forwardAuth`, nginx on
// loopback as the trusted caller, SQLite in a temp dir, the access log on as users run it. Makes
// one signed-in Staff session and sends its secret to the parent. Benchmark support only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startMoatless } from '../../src/cli/compose.ts';
import { serveWiring } from '../../src/cli/serve-wiring.ts';
import { loadConfigObject } from '../../src/config/load.ts';
import { benchIdentity, STAFF_GROUP } from '../access/moatless-config.ts';
import { CLIENT_ID, TENANT } from '../../test/harness/stack.ts';
import { FA_HOST } from './nginx.ts';


const { port } = JSON.parse(process.argv[2] ?? '{}') as { port: number };
const dir = mkdtempSync(join(tmpdir(), 'moatless-fa-bench-'));
const raw = {
  server: {
    listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://auth.bench.localtest.me:${port}`, shutdownGrace: '1s',
    forwardAuth: { trustedCallers: ['127.0.0.1/32'] },
  },
  identityProviders: [{ id: 'entra', type: 'entra', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'bench-secret', authorityUrl: 'http://127.0.0.1:9' }],
  apps: [{
    id: 'fa', name: 'Forward-auth app', hosts: [FA_HOST], mode: 'forwardAuth', identityHeaders: { email: 'x-remote-user' },
    policies: [{ name: 'staff', action: 'allow', include: [{ group: ['Staff', STAFF_GROUP] }] }],
  }],
  storage: { kind: 'sqlite', path: join(dir, 'moatless.db') },
  logging: { level: 'warn', accessLog: true },
};
const r = loadConfigObject(raw, { env: {}, sourcePath: join(dir, 'moatless.yaml') });
if (!r.ok) throw new Error(`forward-auth bench config invalid:\n${r.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
// Access-log lines go to a file: as in production, written, but not to the bench's terminal. The
// rest is what `moatless serve` wires (directory facts, SCIM and isolation mounts).
const m = await startMoatless(r.config, { ...serveWiring({ watchConfig: false }), logger: pino({ level: 'info' }, pino.destination({ dest: join(dir, 'access.log'), sync: false })) });
const identity = benchIdentity(1);
const g = await m.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
const a = await m.sessions.createApp(g.record, 'fa', 3_600_000, identity, null, null);
process.send?.({ type: 'ready', secret: a.secret, pid: process.pid });
