// Test kit for the HTTP/1.1 server side: a listener on 127.0.0.1 running ServerConnection, and a
// raw client that writes bytes and reads the answer. For tests only.
import { connect, createServer, type Server } from 'node:net';
import { serveHttp1, type OnRequest, type OnUpgrade, type ServerConnection, type ServerOptions } from './server-connection.ts';

export const OPTS: ServerOptions = { maxHeaderBytes: 4096, maxFields: 20, headersTimeoutMs: 300, keepAliveMs: 2000 };

/** How the servers this kit starts read their sockets: natively (the default), or from 'data' events (a tunnel's stream does). */
let nativeReads = true;
export function readSocketsWith(how: 'native' | 'data-events'): void {
  nativeReads = how === 'native';
}

export async function serve(onRequest: OnRequest, onUpgrade?: OnUpgrade, o: Partial<ServerOptions> = {}): Promise<{ port: number; server: Server; calls: string[]; conns: ServerConnection[] }> {
  const calls: string[] = [];
  const conns: ServerConnection[] = [];
  const server = createServer((s) => void conns.push(serveHttp1(s, { ...OPTS, nativeReads, ...o }, (req, res) => {
    calls.push(`${req.method} ${req.url}`);
    onRequest(req, res);
  }, onUpgrade)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  // A failed assertion must not leave the file's process waiting on a listening server.
  server.unref();
  return { port: (server.address() as { port: number }).port, server, calls, conns };
}

/** Sends `text` (pieces sent apart by `gapMs`) and collects everything until the server closes or `waitMs` passes. */
export function exchange(port: number, pieces: string[], o: { gapMs?: number; waitMs?: number; until?: (got: string) => boolean } = {}): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      c.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(done, o.waitMs ?? 1500);
    c.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (o.until?.(text)) done();
    });
    c.on('close', () => { closed = true; done(); });
    c.on('error', () => {});
    void (async () => {
      for (const p of pieces) {
        if (c.destroyed) return;
        c.write(p);
        if (o.gapMs) await new Promise((r) => setTimeout(r, o.gapMs));
      }
    })();
  });
}

