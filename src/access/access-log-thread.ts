// Access-log rows written from a worker thread with its own SQLite connection. node:sqlite runs on
// the calling thread: ~7 µs per row plus WAL checkpoints of 10-40 ms that every in-flight request
// waited out (the p99 at c50). Appends only; queries and purges stay on the main store. Must not:
// lose the proxy if the thread dies (rows then go to the main store again, and that is logged).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AccessLogEntry, AccessLogStore, Store, StoreLogger } from '../store/ports.ts';
import { openStore, type StoreConfig } from '../store/open-store.ts';

/** Rows travel as one JSON string: a single copy, and nothing for either heap's GC to trace while queued. */
type ToThread = { id: number; rows: string } | { id: number; close: true };
type FromThread = { id: number; error?: string };

export interface ThreadedAccessLog {
  store: AccessLogStore;
  close(): Promise<void>;
}

/** An AccessLogStore whose appends run on a worker thread; `main` serves the rest and the fallback. */
export function threadedAccessLogStore(config: StoreConfig & { kind: 'sqlite' }, main: Store['accessLog'], logger: StoreLogger): ThreadedAccessLog {
  const worker = new Worker(new URL(import.meta.url), { workerData: config });
  worker.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let next = 0;
  let dead = false;
  const fail = (err: Error) => {
    if (dead) return;
    dead = true;
    logger.error({ err }, 'access log thread stopped; writing rows on the main thread');
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
  worker.on('exit', () => closing || fail(new Error('access log thread exited')));
  const ask = (msg: ToThread) => new Promise<void>((resolve, reject) => {
    waiting.set(msg.id, { resolve, reject });
    worker.postMessage(msg);
  });
  return {
    store: {
      async append(entries) {
        if (entries.length === 0) return;
        if (dead) return main.append(entries);
        const rows = JSON.stringify(entries);
        // A batch lost with the thread is retried on the main store once.
        await ask({ id: ++next, rows }).catch(() => main.append(JSON.parse(rows) as AccessLogEntry[]));
      },
      query: (q) => main.query(q),
      purgeBefore: (t) => main.purgeBefore(t),
      histogram: (q) => main.histogram(q),
    },
    async close() {
      closing = true;
      if (!dead) await ask({ id: ++next, close: true }).catch(() => {});
      dead = true;
      await worker.terminate();
    },
  };
}

async function threadMain(): Promise<void> {
  const port = parentPort!;
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
      await store.accessLog.append(JSON.parse(m.rows) as AccessLogEntry[]);
      port.postMessage({ id: m.id } satisfies FromThread);
    } catch (err) {
      port.postMessage({ id: m.id, error: (err as Error).message } satisfies FromThread);
    }
  })());
}

if (!isMainThread && parentPort && (workerData as { kind?: unknown } | null)?.kind === 'sqlite') await threadMain();
