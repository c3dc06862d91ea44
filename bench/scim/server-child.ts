// The Moatless server under benchmark, in its own process: boots the real stack (composition root
// with the SCIM wiring) on SQLite or on a given PostgreSQL schema, mints one SCIM token, and reports
// its port, pid and token over IPC. Answers `session` (a signed-in session for an email, as a login
// would leave it) so the deprovisioning probe has something to revoke. Benchmark support only:
// must not be imported by Moatless, and must not outlive the benchmark (exits on IPC disconnect).
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { sessionFor, startStack } from '../../test/harness/stack.ts';

export type ServerStorage = { kind: 'sqlite' } | { kind: 'postgres'; url: string; schema: string };
export type ServerCommand = { cmd: 'session'; email: string; app: string };
export type ServerReply =
  | { type: 'ready'; port: number; pid: number; token: string; authHost: string; wikiHost: string }
  | { type: 'session'; secret: string }
  | { type: 'error'; message: string };

const send = (m: ServerReply): void => void process.send?.(m);
process.on('disconnect', () => process.exit(0)); // the benchmark went away: do not linger

try {
  const storage = JSON.parse(process.argv[2] ?? '{"kind":"sqlite"}') as ServerStorage;
  const stack = await startStack({ compose: directoryWiring(), storage });
  // Closing the stack deletes its temp dir (the SQLite file); SIGKILL would leave it behind.
  const shutdown = () => void stack.close().catch(() => undefined).finally(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.removeAllListeners('disconnect');
  process.on('disconnect', shutdown);
  const { token } = await createScimToken(stack.moatless.store, { name: 'entra-bench', directoryName: 'entra', now: Date.now() });
  process.on('message', (raw) => void (async () => {
    const m = raw as ServerCommand;
    try {
      if (m.cmd === 'session') send({ type: 'session', secret: await sessionFor(stack, m.email, m.app) });
    } catch (err) {
      send({ type: 'error', message: (err as Error).stack ?? String(err) });
    }
  })());
  send({ type: 'ready', port: stack.port, pid: process.pid, token, authHost: new URL(stack.authUrl).host, wikiHost: new URL(stack.wikiUrl).host });
} catch (err) {
  send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
}
