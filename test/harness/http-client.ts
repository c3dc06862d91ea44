// A small browser-like HTTP client for scenario tests: talks to 127.0.0.1:port while sending any Host
// (so tests use real hostnames without DNS), keeps cookies per host, and follows redirects on request.
import { request } from 'node:http';

export interface Resp {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  url: URL;
}

export class TestBrowser {
  readonly jar = new Map<string, Map<string, string>>();
  /** host[:port] → loopback port to connect to. */
  readonly routes: Map<string, number>;

  constructor(routes: Map<string, number>) {
    this.routes = routes;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  async get(url: string, opts: { headers?: Record<string, string>; method?: string; body?: string; rawPath?: string } = {}): Promise<Resp> {
    const u = new URL(url);
    const port = this.routes.get(u.host) ?? this.routes.get(u.hostname) ?? Number(u.port);
    const cookies = [...(this.jar.get(u.hostname) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.rawPath ?? u.pathname + u.search, headers: { host: u.host, ...(cookies ? { cookie: cookies } : {}), ...opts.headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.#store(u.hostname, res.headers['set-cookie']);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), url: u });
        });
      });
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  /** Follows redirects (GET) up to `max` hops; returns the final response. */
  async follow(url: string, opts: { headers?: Record<string, string>; max?: number } = {}): Promise<Resp & { chain: string[] }> {
    const chain: string[] = [];
    let next = url;
    for (let i = 0; i < (opts.max ?? 15); i++) {
      chain.push(next);
      const r = await this.get(next, opts);
      const loc = r.headers.location;
      if (r.status >= 300 && r.status < 400 && typeof loc === 'string') {
        next = new URL(loc, r.url).href;
        continue;
      }
      return { ...r, chain };
    }
    throw new Error(`too many redirects: ${chain.join(' -> ')}`);
  }

  #store(host: string, setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const jar = this.jar.get(host) ?? new Map<string, string>();
      const maxAge = attrs.map((a) => a.trim().toLowerCase()).find((a) => a.startsWith('max-age='));
      if (maxAge === 'max-age=0' || value === '') jar.delete(name);
      else jar.set(name, value);
      this.jar.set(host, jar);
    }
  }
}
