// Test-only `fetch` that sends every request to 127.0.0.1:<port> while keeping the URL's Host
// header, so the client can talk to `http://auth.localtest.me:<port>/scim/v2` without DNS (this
// machine has none). Must not be used outside tests.
import { request } from 'node:http';
import type { FetchLike } from '../scim-http.ts';

export function loopbackFetch(port: number): FetchLike {
  return (input, init) => new Promise<Response>((resolve, reject) => {
    const url = new URL(input);
    const headers = { ...(init.headers as Record<string, string>), host: url.host };
    const req = request({ host: '127.0.0.1', port, method: init.method ?? 'GET', path: url.pathname + url.search, headers, signal: init.signal ?? undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve(new Response(body, { status, headers: h }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}
