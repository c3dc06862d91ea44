// Relays an HTTP/1.1 Upgrade (WebSocket) through the gateway once it has been decided and its
// upstream dialled: the request head is re-written for the origin (origin-form path, Host from the
// URL, proxy credentials and hop-by-hop headers out, `Upgrade` and `Connection: upgrade` kept),
// then bytes flow both ways untouched — the origin's 101 (or refusal) included. Resolves when both
// sides are closed, with the origin's status and the bytes moved, for the log.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { endToEnd } from './forward.ts';
import type { ProxyRequest } from './responses.ts';

export function relayUpgrade(req: ProxyRequest, client: Duplex, head: Buffer, upstream: Duplex, url: URL, idleMs: number, extra: [string, string][] = []): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve) => {
    const lines = [`${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, `connection: upgrade`, `upgrade: ${String(req.headers.upgrade ?? '')}`];
    for (const [k, v] of [...endToEnd(req.rawHeaders, req.headers.connection), ...extra]) if (!/[\r\n]/.test(v)) lines.push(`${k}: ${v}`);
    let status = 502;
    let bytes = 0;
    let first = true;
    upstream.on('data', (c: Buffer) => {
      if (first) {
        first = false;
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(c.subarray(0, 16).toString('latin1'));
        if (m) status = Number(m[1]);
      }
      bytes += c.length;
    });
    client.on('data', (c: Buffer) => { bytes += c.length; });
    let done = false;
    const finish = () => {
      client.destroy();
      upstream.destroy();
      if (!done) { done = true; resolve({ status, bytes }); }
    };
    for (const s of [client, upstream]) {
      s.on('error', finish);
      s.on('close', finish);
      (s as Partial<Socket>).setTimeout?.(idleMs, finish);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
}
