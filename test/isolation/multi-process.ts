// Helpers for isolation scenarios that run real processes sharing one SQLite store: the store as
// the test sees it, `moatless isolation-worker`s on other loopback addresses (127.0.0.2, 127.0.0.3
// stand for other hosts), the Chromium browsers under a process, and small HTTP helpers.
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { stringify } from 'yaml';
import { SessionService } from '../../src/identity/sessions.ts';
import { readProcTable, treeOf } from '../../src/isolation/process-tree.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { startMoatlessProcess, type Child } from '../harness/processes.ts';

export const WORKER_SECRET = 'test-isolation-worker-secret-0123456789abcdef';
export const SECRET_ENV = { MOATLESS_TEST_ISOLATION_WORKER_SECRET: WORKER_SECRET };

/**
 * moatless.yaml for an auth host (`port`) whose browsers run on isolation workers, with a Gateway
 * (`gwPort`) the workers' browsers go out through: it blocks `/secret…` and lets the loopback test
 * site through. Printing is allowed (a PDF offered as a download). Returns the file's path.
 */
export function writeWorkerDeployment(dir: string, o: { port: number; gwPort: number; siteUrl: string }): string {
  const authUrl = `http://auth.localtest.me:${o.port}`;
  const config = {
    server: { listeners: [{ address: `127.0.0.1:${o.port}` }], authUrl, shutdownGrace: '1s' },
    identityProviders: [{
      id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x',
      authorityUrl: 'http://127.0.0.1:9',
    }],
    apps: [{ id: 'wiki', hosts: ['wiki.localtest.me'], upstream: o.siteUrl, policies: [{ name: 'all', action: 'allow', include: [{ emailDomain: 'contoso.com' }] }] }],
    storage: { kind: 'sqlite', path: join(dir, 'moatless.db') },
    logging: { level: 'warn', accessLog: false },
    gateway: {
      listener: { address: `127.0.0.1:${o.gwPort}` },
      rules: [
        { name: 'No secret images', action: 'block', when: { path: { matches: '^/secret' } } },
        { name: 'The test site on loopback', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } },
      ],
    },
    isolation: {
      chromiumPath: process.env['MOATLESS_CHROMIUM'] ?? '/usr/bin/chromium', pool: { size: 0 }, proxy: `http://127.0.0.1:${o.gwPort}`,
      limits: { maxSessions: 2 }, workers: { secret: { env: Object.keys(SECRET_ENV)[0] } }, controls: { print: 'allow' },
    },
  };
  const path = join(dir, 'moatless.yaml');
  writeFileSync(path, stringify(config));
  return path;
}

export async function withStore<T>(dir: string, f: (s: Store, sessions: SessionService) => Promise<T>): Promise<T> {
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'moatless.db') });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
  try {
    return await f(store, sessions);
  } finally {
    sessions.close();
    await store.close();
  }
}

/** A signed-in user (the auth host's global session): its cookie secret and ids. */
export function signIn(dir: string, email: string): Promise<{ secret: string; id: string; userKey: string }> {
  return withStore(dir, async (_store, sessions) => {
    const identity = { userKey: `t:${email}`, email, idp: 'entra', groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {} };
    const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
    return { secret: g.secret, id: g.record.id, userKey: identity.userKey };
  });
}

export interface Worker { child: Child; host: string; port: number }

/** Starts `moatless isolation-worker` as `name`, listening on `host` (a port of its own). */
export async function startWorker(configPath: string, name: string, host: string): Promise<Worker> {
  const child = await startMoatlessProcess(
    ['isolation-worker', '--config', configPath, '--name', name, '--listen', `${host}:0`], /registered as http:\/\/\S+:\d+/, SECRET_ENV,
  );
  const m = /registered as http:\/\/(\S+):(\d+)/.exec(child.output())!;
  return { child, host: m[1]!, port: Number(m[2]) };
}

/** Chromium browser processes (not renderers or helpers) under `pid`. */
export function browsersUnder(pid: number): number[] {
  return treeOf(pid, readProcTable()).map((p) => p.pid).filter((p) => {
    let cmdline: string;
    try { cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8'); } catch { return false; }
    return /^\S*chromium/.test(cmdline) && !cmdline.includes('--type=');
  });
}

/** A WebSocket upgrade's outcome: 'open' (closed again at once) or the HTTP status it was refused with. */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => { ws.close(); resolve('open'); });
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve(res.statusCode ?? 0); });
    ws.once('error', (err) => reject(err));
  });
}

/** A plain HTTP request to `host`:`port` (default 127.0.0.1) with a chosen Host header. */
export function http(
  port: number, method: string, path: string, headers: Record<string, string>, body?: string, host = '127.0.0.1',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
