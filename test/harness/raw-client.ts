// A raw TCP client for attack tests: writes bytes exactly as given and lets a test wait for what
// came back, or for the proxy to close the connection.
import { connect, type Socket } from 'node:net';

export class RawClient {
  readonly #sock: Socket;
  #received = Buffer.alloc(0);
  #closed = false;
  readonly #waiters = new Set<() => void>();

  constructor(sock: Socket) {
    this.#sock = sock;
    sock.on('data', (d: Buffer) => {
      this.#received = Buffer.concat([this.#received, d]);
      this.#wake();
    });
    const closed = () => {
      this.#closed = true;
      this.#wake();
    };
    sock.on('end', closed);
    sock.on('close', closed);
    sock.on('error', closed);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const sock = connect(port, '127.0.0.1', () => resolve(new RawClient(sock)));
      sock.once('error', reject);
    });
  }

  get text(): string {
    return this.#received.toString('latin1');
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(text: string): void {
    if (!this.#sock.destroyed) this.#sock.write(text);
  }

  /** Resolves once `pred` holds, or with false after `ms` (never rejects). */
  async until(pred: () => boolean, ms = 3000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.add(() => { clearTimeout(t); r(); });
      });
    }
    return true;
  }

  /** True if the peer closed the connection within `ms`. */
  waitClosed(ms = 3000): Promise<boolean> {
    return this.until(() => this.#closed, ms);
  }

  destroy(): void {
    this.#sock.destroy();
  }

  #wake(): void {
    const w = [...this.#waiters];
    this.#waiters.clear();
    for (const f of w) f();
  }
}
