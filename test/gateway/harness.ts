// Boots a real `moatless serve` (composition root) with a `gateway:` section on SQLite in a temp
// dir, a fake upstream on 127.0.0.1, a resolver that maps test names to addresses without DNS, and
// a directory-facts port the test controls. Clients are raw sockets / node:http through the proxy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { connect } from 'node:net';
import { pino, type Logger } from 'pino';
import { loadConfigObject } from '../../src/config/load.ts';
import { startMoatless, type ComposeOptions, type MoatlessProcess } from '../../src/cli/compose.ts';
import type { Dialer } from '../../src/gateway/dialer.ts';
import { SourceIpBindings } from '../../src/gateway/ip-binding.ts';
import type { DirectoryFacts } from '../../src/policy/types.ts';
import type { GatewayLogEntry } from '../../src/store/ports.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../harness/ports.ts';

export interface GatewayStack {
  moatless: MoatlessProcess;
  upstream: FakeUpstream;
  authPort: number;
  authHost: string;
  gwPort: number;
  directory: Map<string, DirectoryFacts>;
  /** Every address the gateway dialled. */
  dialled: string[];
  /** Every name the gateway asked its resolver (after its DNS cache). */
  resolved: string[];
  signIn(email: string, groupNames?: string[]): Promise<string>;
  createCredential(cookie: string, label?: string): Promise<{ id: string; secret: string; auth: string }>;
  authGet(path: string, cookie?: string): Promise<Reply>;
  authPost(path: string, form: Record<string, string>, cookie: string, origin?: string | null): Promise<Reply>;
  proxy(method: string, target: string, headers?: Record<string, string>, body?: string): Promise<Reply>;
  rawProxy(bytes: string): Promise<string>;
  /** The newest gateway log rows: the gateway's buffer flushed through the log thread, then read from the store. */
  logRows(limit?: number): Promise<GatewayLogEntry[]>;
  /** Polls logRows() until a row matches (a request is logged when it ends, e.g. a relay after its close). */
  waitForLogRow(match: (r: GatewayLogEntry) => boolean, what: string, ms?: number): Promise<GatewayLogEntry>;
  /** Stops Moatless (as a shutdown does) and keeps the data directory; close() then removes the rest. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface GatewayStackOptions {
  gateway?: Record<string, unknown>;
  names?: Record<string, string>;
  dialer?: Dialer;
  /** The process logger (default silent): gateway lines go to its destination. */
  logger?: Logger;
  /** Wraps the main store, e.g. to see which writes reach it (compose's wrapStore). */
  wrapStore?: ComposeOptions['wrapStore'];
}

function send(opts: RequestOptions, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startGatewayStack(o: GatewayStackOptions = {}): Promise<GatewayStack> {
  const upstream = await startFakeUpstream();
  const authPort = await freePort();
  const authHost = `auth.localtest.me:${authPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'moatless-gw-'));
  const loaded = loadConfigObject({
    server: { listeners: [{ address: `127.0.0.1:${authPort}` }], authUrl: `http://${authHost}`, debugDenyReasons: true, shutdownGrace: '1s' },
    storage: { kind: 'sqlite', path: join(dir, 'db.sqlite') },
    gateway: { listener: { address: '127.0.0.1:0' }, ...o.gateway },
  }, { env: {} });
  if (!loaded.ok) {
    await upstream.close();
    throw new Error(JSON.stringify(loaded.issues));
  }
  const directory = new Map<string, DirectoryFacts>();
  const names: Record<string, string> = { 'app1.example.com': '127.0.0.1', 'app2.example.com': '127.0.0.1', 'blocked.example.com': '127.0.0.1', ...o.names };
  const dialled: string[] = [];
  const resolved: string[] = [];
  const { tcpDialer } = await import('../../src/gateway/dialer.ts');
  const inner = o.dialer ?? tcpDialer;
  const moatless = await startMoatless(loaded.config, {
    // The request log thread is on, as in production (SQLite): rows are appended from a worker
    // thread, so tests read them through logRows(), which waits for the thread's commit.
    logger: o.logger ?? pino({ level: 'silent' }), pollGraph: false, ...(o.wrapStore ? { wrapStore: o.wrapStore } : {}),
    directoryFacts: () => async (email) => directory.get(email),
    gateway: {
      resolver: async (h) => {
        resolved.push(h);
        const ip = names[h];
        if (!ip) throw new Error(`ENOTFOUND ${h}`);
        return [ip];
      },
      dialer: (ip, port, t) => { dialled.push(`${ip}:${port}`); return inner(ip, port, t); },
    },
  });
  const gwPort = moatless.gateway!.port;
  let stopped: Promise<void> | undefined;
  const stack: GatewayStack = {
    moatless, upstream, authPort, authHost, gwPort, directory, dialled, resolved,
    async signIn(email, groupNames = []) {
      const { secret } = await moatless.sessions.createGlobal({
        identity: { userKey: `test|${email}`, email, idp: 'test', groups: [], groupNames, amr: ['pwd'], acrs: [], claims: {} },
        durationMs: 3_600_000, ip: '127.0.0.1', userAgent: 'test',
      });
      return `moatless_auth=${secret}`;
    },
    async createCredential(cookie, label = 'laptop') {
      const page = await stack.authGet('/gateway/devices', cookie);
      const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(page.body)?.[1] ?? '';
      const made = await stack.authPost('/gateway/devices', { csrf, label }, cookie);
      const id = /User name: <code>(gw_[0-9a-f]+)<\/code>/.exec(made.body)?.[1];
      const secret = /Password: <code>([A-Za-z0-9_-]+)<\/code>/.exec(made.body)?.[1];
      if (made.status !== 201 || !id || !secret) throw new Error(`credential not created: ${made.status} ${made.body.slice(0, 300)}`);
      return { id, secret, auth: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
    },
    authGet: (path, cookie) => send({ host: '127.0.0.1', port: authPort, path, headers: { host: authHost, ...(cookie ? { cookie } : {}) } }),
    authPost(path, form, cookie, origin = `http://${authHost}`) {
      const body = new URLSearchParams(form).toString();
      return send({ host: '127.0.0.1', port: authPort, path, method: 'POST', headers: { host: authHost, cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), ...(origin ? { origin } : {}) } }, body);
    },
    proxy(method, target, headers = {}, body) {
      const host = new URL(target).host;
      return send({ host: '127.0.0.1', port: gwPort, method, path: target, headers: { host, ...headers } }, body);
    },
    rawProxy(bytes) {
      return new Promise((resolve) => {
        const s = connect(gwPort, '127.0.0.1');
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
        s.on('error', () => resolve(Buffer.concat(chunks).toString('latin1')));
        s.setTimeout(5000, () => s.destroy());
        s.write(bytes);
      });
    },
    async logRows(limit = 200) {
      await moatless.gateway!.log.flush();
      return moatless.store.gateway.log.query({ limit });
    },
    async waitForLogRow(match, what, ms = 5_000) {
      const end = Date.now() + ms;
      for (;;) {
        const row = (await stack.logRows()).find(match);
        if (row) return row;
        if (Date.now() > end) throw new Error(`timed out waiting for a gateway log row: ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      stopped ??= moatless.close();
      await stopped;
    },
    async close() {
      await stack.stop();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Counts the trusted-network lookups (`SourceIpBindings.who`) the proxy makes until restored. */
export function countSourceIpLookups(): { count(): number; restore(): void } {
  const original = Object.getOwnPropertyDescriptor(SourceIpBindings.prototype, 'who')!;
  let n = 0;
  SourceIpBindings.prototype.who = function (this: SourceIpBindings, ip: string) {
    n++;
    return original.value.call(this, ip);
  };
  return { count: () => n, restore: () => Object.defineProperty(SourceIpBindings.prototype, 'who', original) };
}
