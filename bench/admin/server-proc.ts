// The admin benchmark's handle on its server child: start it, relay its seeding progress, wait for
// `ready`, and stop its process group. Must not reach into the child's state any other way.
import { nextMessage, startNode } from '../lib/procs.ts';
import type { ServerArgs, ServerReply } from './server-child.ts';

const CHILD = new URL('./server-child.ts', import.meta.url).pathname;
export type Ready = Omit<Extract<ServerReply, { type: 'ready' }>, 'type'>;

export async function startAdminServer(args: ServerArgs, log: (s: string) => void): Promise<Ready & { stop(): Promise<void> }> {
  const child = startNode(CHILD, [JSON.stringify(args)], {}, ['--expose-gc']);
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  for (;;) {
    let m: ServerReply;
    try {
      m = await nextMessage<ServerReply>(child, 1_800_000, 'admin server child');
    } catch (err) {
      kill();
      throw err;
    }
    if (m.type === 'progress') { log(m.line); continue; }
    if (m.type === 'error') { kill(); throw new Error(`admin server child: ${m.message}`); }
    const { type: _t, ...ready } = m;
    return {
      ...ready,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((res) => child.once('exit', () => res()));
        child.kill('SIGTERM');
        const timer = setTimeout(kill, 5_000);
        await exited;
        clearTimeout(timer);
        kill();
      },
    };
  }
}
