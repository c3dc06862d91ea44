// The Gateway's only way out: a Dialer connects to an IP address (never a name — names are
// resolved and checked first, egress.ts). Tests inject one that records and refuses, so no unit
// test can open a connection anywhere.
import { connect, type Socket } from 'node:net';

export type Dialer = (ip: string, port: number, timeoutMs: number) => Promise<Socket>;

export class DialError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DialError';
    this.code = code;
  }
}

export const tcpDialer: Dialer = (ip, port, timeoutMs) => new Promise((resolve, reject) => {
  const socket = connect({ host: ip, port, noDelay: true });
  const timer = setTimeout(() => {
    socket.destroy();
    reject(new DialError('timeout', `connecting to ${ip}:${port} timed out`));
  }, timeoutMs);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.removeAllListeners('error');
    resolve(socket);
  });
  socket.once('error', (err) => {
    clearTimeout(timer);
    reject(new DialError('refused', `connecting to ${ip}:${port} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err }));
  });
});
