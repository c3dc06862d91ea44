// Request-log rows (Access's and the Gateway's) written from a worker thread with its own SQLite
// connection. node:sqlite runs on the calling thread: ~7 µs per row plus WAL checkpoints of 10-40 ms
// that every in-flight request waited out (the p99 at c50). Appends only; queries and purges stay on
// the main store. The thread runs at a lower scheduling priority than the request path (nice
// LOG_THREAD_NICE, Linux). Must not: lose the proxy if the thread dies (rows then go to the main
// store again, and that is logged).
import { setPriority } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AccessLogEntry, AccessLogStore, GatewayLogEntry, GatewayLogStore, Store, StoreLogger } from '../store/ports.ts';
import { openStore, type StoreConfig } from '../store/open-store.ts';
import type { SerializedAppend } from './access-log.ts';

/**
 * Rows travel as one UTF-8 JSON buffer, moved rather than copied (its ArrayBuffer in the transfer
 * list): cloning a 200-row batch's string cost the main thread ~1 µs a row (issue 17), and queued
 * bytes are nothing for either heap's GC to trace.
 */
type ToThread = { id: number; log: 'access' | 'gateway'; rows: Uint8Array } | { id: number; close: true };

const toUtf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
type FromThread = { id: number; error?: string };

export interface ThreadedAccessLog {
  store: AccessLogStore & SerializedAppend;
  /** The gateway log's store, appending on the same thread. */
  gatewayLog: GatewayLogStore;
  close(): Promise<void>;
}

/** An AccessLogStore and a GatewayLogStore whose appends run on one worker thread; `main`'s stores serve the rest and the fallback. */
export function threadedAccessLogStore(
  config: StoreConfig & { kind: 'sqlite' }, main: Pick<Store, 'accessLog' | 'gateway'>, logger: StoreLogger,
): ThreadedAccessLog {
  const worker = new Worker(new URL(import.meta.url), { workerData: config });
  worker.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let next = 0;
  let dead = false;
  const fail = (err: Error) => {
    if (dead) return;
    dead = true;
    logger.error({ err }, 'request log thread stopped; writing rows on the main thread');
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (m: FromThread) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error === undefined) w?.resolve();
    else w?.reject(new Error(m.error));
  });
  worker.on('error', fail);
  // An exit we asked for (close) is not a failure: the thread may exit before our reply handler runs.
  let closing = false;
  worker.on('exit', () => closing || fail(new Error('request log thread exited')));
  const ask = (msg: ToThread, transfer: ArrayBuffer[] = []) => new Promise<void>((resolve, reject) => {
    waiting.set(msg.id, { resolve, reject });
    worker.postMessage(msg, transfer);
  });
  /** Appends a JSON array of rows through the thread; a batch lost with the thread is retried on the main store once. */
  const jsonAppender = <E>(log: 'access' | 'gateway', fallback: (entries: E[]) => Promise<void>) => async (json: string) => {
    if (dead) return fallback(JSON.parse(json) as E[]);
    // TextEncoder's array has an ArrayBuffer of its own (never a slice of Buffer's shared pool): safe to move.
    const rows = toUtf8.encode(json);
    await ask({ id: ++next, log, rows }, [rows.buffer]).catch(() => fallback(JSON.parse(json) as E[]));
  };
  const appender = <E>(toThread: (json: string) => Promise<void>, fallback: (entries: E[]) => Promise<void>) => async (entries: E[]) => {
    if (entries.length === 0) return;
    if (dead) return fallback(entries);
    await toThread(JSON.stringify(entries));
  };
  const access = main.accessLog;
  const gateway = main.gateway.log;
  const accessJson = jsonAppender<AccessLogEntry>('access', (e) => access.append(e));
  const gatewayJson = jsonAppender<GatewayLogEntry>('gateway', (e) => gateway.append(e));
  return {
    store: {
      append: appender<AccessLogEntry>(accessJson, (e) => access.append(e)),
      // Rows the access log has serialized already (each line's JSON): access-log.ts SerializedAppend.
      appendJson: accessJson,
      query: (q) => access.query(q),
      purgeBefore: (t) => access.purgeBefore(t),
      histogram: (q) => access.histogram(q),
    },
    gatewayLog: {
      append: appender<GatewayLogEntry>(gatewayJson, (e) => gateway.append(e)),
      query: (q) => gateway.query(q),
      purgeBefore: (t) => gateway.purgeBefore(t),
    },
    async close() {
      closing = true;
      if (!dead) await ask({ id: ++next, close: true }).catch(() => {});
      dead = true;
      await worker.terminate();
    },
  };
}

/**
 * The log thread's nice value. At nice 0 its batches (1.5-4 ms of SQLite per 200 rows, 8-10 µs a
 * row) shared a core with the request path as an equal: a request woken behind one waits out a
 * scheduler slice — the suspect for the ~3 ms p99 at one connection, which the floor proxy (no such
 * thread) does not have (issue 17, docs/benchmarks.md). At 10 (about a ninth of nice 0's weight) it
 * loses its claim to the core as soon as a request-path thread wakes, and a saturated box still
 * gives it that share (no rows dropped at c50 with both threads pinned to one core). Linux only:
 * nice is per thread there (setpriority(2) NOTES); elsewhere the call would lower the whole process.
 */
export const LOG_THREAD_NICE = 10;

async function threadMain(): Promise<void> {
  const port = parentPort!;
  if (process.platform === 'linux') {
    try {
      setPriority(LOG_THREAD_NICE);
    } catch {
      // A sandbox that forbids it: the rows are written at the default priority, as before.
    }
  }
  // Listen first: batches that arrive while the store opens wait for it instead of being missed.
  const opening = openStore(workerData as StoreConfig);
  port.on('message', (m: ToThread) => void (async () => {
    try {
      const store = await opening;
      if ('close' in m) {
        await store.close();
        port.postMessage({ id: m.id } satisfies FromThread);
        port.close();
        return;
      }
      const rows: unknown = JSON.parse(fromUtf8.decode(m.rows));
      if (m.log === 'gateway') await store.gateway.log.append(rows as GatewayLogEntry[]);
      else await store.accessLog.append(rows as AccessLogEntry[]);
      port.postMessage({ id: m.id } satisfies FromThread);
    } catch (err) {
      port.postMessage({ id: m.id, error: (err as Error).message } satisfies FromThread);
    }
  })());
}

if (!isMainThread && parentPort && (workerData as { kind?: unknown } | null)?.kind === 'sqlite') await threadMain();
