// Free loopback ports for tests that must know a port before the server starts (the auth URL).
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const held = await reservePort();
  await held.release();
  return held.port;
}

/**
 * A loopback port held open until `release()`: while held, nothing else in this machine (this
 * process's own port-0 listeners included) can be given it — freePort() alone let the emulator or a
 * fake upstream started next take the port it had just returned.
 */
export function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({ port, release: () => new Promise<void>((done) => s.close(() => done())) });
    });
  });
}
