// The Moatless edge process of the tunnel benchmark: the real composition root on a fixed port.
// First start (`init`): creates the tunnel token and one signed-in Staff session per app, and sends
// them to the parent. Every start sends `listening` with the wall-clock time the listener was up
// (the reconnect figure starts there). SIGTERM closes it gracefully, as an operator's restart does.
// Benchmark support only.
import { pino } from 'pino';
import { startMoatless } from '../../src/cli/compose.ts';
import { createTunnelToken } from '../../src/tunnel/tokens.ts';
import { benchIdentity } from '../access/moatless-config.ts';
import { APPS, TUNNEL, edgeConfig, type AppName } from './config.ts';

export interface EdgeReply {
  type: 'listening'; at: number; pid: number; token?: string; secrets?: Record<AppName, string>;
}

const o = JSON.parse(process.argv[2] ?? '{}') as { port: number; backend: number; dir: string; init: boolean };
process.on('disconnect', () => process.exit(0)); // the benchmark went away: do not linger

const m = await startMoatless(edgeConfig(o), { logger: pino({ level: 'warn' }) });
const at = Date.now();
process.once('SIGTERM', () => void m.close().then(() => process.exit(0), () => process.exit(1)));
if (!o.init) {
  process.send?.({ type: 'listening', at, pid: process.pid } satisfies EdgeReply);
} else {
  const { token } = await createTunnelToken(m.store, { name: 'bench-connector', tunnel: TUNNEL, now: Date.now() });
  const identity = benchIdentity(1);
  const g = await m.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  const secrets = {} as Record<AppName, string>;
  for (const app of APPS) {
    secrets[app] = (await m.sessions.createApp(g.record, app, 3_600_000, identity, null, null)).secret;
  }
  process.send?.({ type: 'listening', at, pid: process.pid, token, secrets } satisfies EdgeReply);
}
