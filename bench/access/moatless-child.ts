// A Moatless process for the benchmarks: boots the real composition root (`startMoatless`) with N
// apps, then answers IPC commands: make sessions through SessionService, report cache size and
// memory. Runs as its own process so wrk measures it alone and its RSS is its own; with
// `workers` > 1 it runs Moatless's cluster mode instead (cache size is then the primary's: 0).
// Serving processes log as production does (JSON lines on stdout, which the benchmark points at a
// file); the cluster primary, which serves nothing, is silent.
// Benchmark support only: must not be imported by Moatless.
import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { pino } from 'pino';
import { runClusterPrimary, runClusterWorker } from '../../src/cli/cluster.ts';
import { startMoatless, storeConfigOf, type MoatlessProcess } from '../../src/cli/compose.ts';
import { serveWiring } from '../../src/cli/serve-wiring.ts';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import { newSessionSecret, sessionIdOf } from '../../src/identity/session-tokens.ts';
import type { SessionRecord } from '../../src/store/ports.ts';
import { appId, benchConfig, benchIdentity, type BenchConfigOptions } from './moatless-config.ts';

export type ChildCommand =
  | { cmd: 'sessions'; count: number; app: number; firstUser: number }
  | { cmd: 'stats' }
  /** Request metrics recorded (on) or skipped (off) from now on, in this same process (admin bench). */
  | { cmd: 'requestMetrics'; on: boolean };

export type ChildReply =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'sessions'; secrets: string[]; ms: number }
  | { type: 'stats'; cacheSize: number; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; spaces: Record<string, number> }
  /** observed: requests counted by request metrics so far (the bench checks "off" counted none). */
  | { type: 'requestMetrics'; on: boolean; observed: number }
  | { type: 'error'; message: string };

/** metrics: false runs without request metrics on the proxy path (the admin bench's baseline). */
const opts = JSON.parse(process.argv[2] ?? '{}') as BenchConfigOptions & { dir?: string; metrics?: boolean };
const send = (m: ChildReply) => process.send?.(m);

// workers > 1: this process is a cluster primary (`server.workers`, src/cli/cluster.ts) and the
// workers re-run this file; they share the primary's data folder, passed down in argv.
// The compose options are `moatless serve`'s (directory facts, SCIM and isolation mounts); the
// config file is not watched: there is none.
const wiring = { ...serveWiring({ watchConfig: false }), requestMetrics: opts.metrics !== false };
if (cluster.isWorker) {
  await runClusterWorker(benchConfig({ ...opts, dir: opts.dir!, workers: opts.workers ?? 1 }), wiring);
  process.exit(0);
}
const workers = opts.workers ?? 1;
const dir = mkdtempSync(join(tmpdir(), 'moatless-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('disconnect', () => process.exit(0)); // the benchmark went away: do not linger

const config = benchConfig({ ...opts, dir, workers });
const moatless = workers > 1 ? await startPrimary() : await startMoatless(config, wiring);

/** The primary serves nothing itself: it answers the benchmark's commands through its own store handle. */
async function startPrimary(): Promise<Pick<MoatlessProcess, 'store' | 'sessions'>> {
  cluster.setupPrimary({ args: [JSON.stringify({ ...opts, dir, workers })] });
  await new Promise<void>((resolve, reject) => {
    runClusterPrimary(config, { workers, out: () => {}, onListening: () => resolve(), logger: pino({ level: 'silent' }) }).then(() => reject(new Error('cluster stopped')), reject);
  });
  const store = await openStore(storeConfigOf(config));
  return { store, sessions: new SessionService({ store, now: Date.now, cacheTtlMs: 0 }) };
}
const TTL_MS = 2 * 3_600_000;

/** Committed bytes per V8 heap space (new, old, code, large objects): which one an RSS change is. */
function heapSpaces(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of getHeapSpaceStatistics()) if (s.space_size > 0) out[s.space_name.replace(/_space$/, '')] = s.space_size;
  return out;
}

/** A global sign-in and its app session, as `SessionService.createGlobal` + `createApp` make them. */
function sessionPair(user: number, app: string, now: number): { global: SessionRecord; app: SessionRecord; secret: string } {
  const identity = benchIdentity(user);
  const base = { userKey: identity.userKey, email: identity.email, idp: identity.idp, identity, createdAt: now, expiresAt: now + TTL_MS, lastSeenAt: now, ip: null, userAgent: null, revokedAt: null, revokedReason: null };
  const globalId = sessionIdOf(newSessionSecret());
  const secret = newSessionSecret();
  return {
    global: { ...base, id: globalId, kind: 'global', parentId: null, appId: null },
    app: { ...base, id: sessionIdOf(secret), kind: 'app', parentId: globalId, appId: app },
    secret,
  };
}

process.on('message', (raw) => void (async () => {
  const m = raw as ChildCommand;
  try {
    if (m.cmd === 'sessions') {
      const t0 = performance.now();
      const secrets: string[] = [];
      // Straight into the store, 5,000 sign-ins per transaction: one commit per session would take
      // minutes for 100,000. Records are shaped exactly as SessionService#create shapes them.
      for (let done = 0; done < m.count; ) {
        const n = Math.min(5_000, m.count - done);
        await moatless.store.transaction(async (tx) => {
          for (let i = 0; i < n; i++) {
            const { global, app, secret } = sessionPair(m.firstUser + done + i, appId(m.app), Date.now());
            await tx.sessions.create(global);
            await tx.sessions.create(app);
            secrets.push(secret);
          }
        });
        done += n;
      }
      send({ type: 'sessions', secrets, ms: performance.now() - t0 });
    } else if (m.cmd === 'requestMetrics') {
      // The only per-request work of request metrics is RequestMetrics.observe (the metered access
      // log calls it once per decision): "off" makes it a no-op on this instance, so on and off run
      // in one process with one heap and one JIT, and only that work differs.
      if (!('metrics' in moatless)) throw new Error('requestMetrics needs a serving process (workers: 1)');
      const requests = (moatless as MoatlessProcess).metrics.requests;
      if (m.on) delete (requests as { observe?: unknown }).observe;
      else Object.defineProperty(requests, 'observe', { value: () => {}, configurable: true, writable: true });
      const [counter] = requests.exported();
      const observed = (await counter!.get()).values.reduce((n, v) => n + v.value, 0);
      send({ type: 'requestMetrics', on: m.on, observed });
    } else if (m.cmd === 'stats') {
      // Collect first when allowed (--expose-gc): RSS then shows what the sessions keep, not garbage.
      (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      send({ type: 'stats', cacheSize: moatless.sessions.cacheSize, rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, arrayBuffers: mem.arrayBuffers, spaces: heapSpaces() });
    }
  } catch (err) {
    send({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
})());

send({ type: 'ready', port: opts.port, pid: process.pid });
