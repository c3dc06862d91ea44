// The registry of isolation workers (`moatless isolation-worker`) in the shared store: each worker
// writes its address, capacity and free slots every few seconds under kv `isolation.workers`, with
// an expiry, so a worker that dies drops out within WORKER_TTL_MS. Each entry is signed with the
// workers' shared secret (HMAC over name, address and TLS): auth hosts route users' viewers — and
// so their session cookies — only to entries that verify, never to an address someone without the
// secret wrote into the store. Owns: the entry format, announcing, listing. Must not: place users.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { KeyValueStore } from '../../store/ports.ts';
import { parseStored } from '../../store/parse-stored.ts';

export const WORKERS_NS = 'isolation.workers';
const HEARTBEAT_MS = 3_000;
export const WORKER_TTL_MS = 10_000;
/** How long an auth host reuses one read of the registry. */
const LIST_CACHE_MS = 1_000;

/** Who a worker is and where auth hosts reach it: what the signature covers. */
export interface WorkerIdentity { name: string; host: string; port: number; tls: boolean }

export interface WorkerLoad { capacity: number; free: number; sessions: number }

const entrySchema = z.object({
  name: z.string().min(1), host: z.string().min(1), port: z.number().int().min(1).max(65_535), tls: z.boolean(),
  capacity: z.number().int().min(0), free: z.number().int(), sessions: z.number().int().min(0),
  pid: z.number().int(), hostname: z.string(), sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type WorkerEntry = z.infer<typeof entrySchema>;

function signature(secret: string, w: WorkerIdentity): Buffer {
  return createHmac('sha256', secret).update(`moatless-isolation-worker-v1\n${w.name}\n${w.host}\n${w.port}\n${w.tls}`).digest();
}

/** The owner lease naming a worker (kv `isolation.owners`): the same string whoever writes it. */
export function workerLease(w: WorkerIdentity): string {
  return JSON.stringify({ host: w.host, port: w.port, worker: w.name, tls: w.tls });
}

export interface AnnouncerDeps {
  kv: KeyValueStore; secret: string; identity: WorkerIdentity; load: () => WorkerLoad; logger: Pick<Logger, 'warn' | 'error'>;
}

/** The worker's side: announces itself until closed, then removes its entry. */
export class WorkerAnnouncer {
  readonly #d: AnnouncerDeps;
  #timer: NodeJS.Timeout | null = null;
  #warnedClash = false;

  constructor(d: AnnouncerDeps) {
    this.#d = d;
  }

  async start(): Promise<void> {
    await this.announce();
    this.#timer = setInterval(() => void this.announce().catch((err: unknown) => this.#d.logger.warn({ err }, 'isolation worker: could not renew its registration')), HEARTBEAT_MS);
    this.#timer.unref();
  }

  /** Writes the entry now (also called when a session starts or ends, so free slots stay current). */
  async announce(): Promise<void> {
    const { kv, identity } = this.#d;
    const before = parseEntry(await kv.get(WORKERS_NS, identity.name));
    // Two workers under one name would overwrite each other's entry: said once, loudly.
    if (before && (before.host !== identity.host || before.port !== identity.port) && !this.#warnedClash) {
      this.#warnedClash = true;
      this.#d.logger.error({ name: identity.name, other: `${before.host}:${before.port}` }, 'isolation worker: another worker is registered under this name; give each worker its own isolation.worker.name');
    }
    const entry: WorkerEntry = {
      ...identity, ...this.#d.load(), pid: process.pid, hostname: hostname(), sig: signature(this.#d.secret, identity).toString('base64url'),
    };
    await kv.set(WORKERS_NS, identity.name, JSON.stringify(entry), Date.now() + WORKER_TTL_MS);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#d.kv.delete(WORKERS_NS, this.#d.identity.name).catch(() => {});
  }
}

/** The auth host's side: the live workers whose entries verify with the shared secret. */
export class WorkerDirectory {
  readonly #kv: KeyValueStore;
  readonly #secret: string;
  readonly #logger: Pick<Logger, 'warn'>;
  #cached: { at: number; entries: WorkerEntry[] } | null = null;
  readonly #warned = new Set<string>();

  constructor(d: { kv: KeyValueStore; secret: string; logger: Pick<Logger, 'warn'> }) {
    this.#kv = d.kv;
    this.#secret = d.secret;
    this.#logger = d.logger;
  }

  async live(): Promise<WorkerEntry[]> {
    const now = Date.now();
    if (this.#cached && now - this.#cached.at < LIST_CACHE_MS) return this.#cached.entries;
    const entries: WorkerEntry[] = [];
    for (const row of await this.#kv.list(WORKERS_NS)) {
      const e = parseEntry(row.value);
      if (e && e.name === row.key && timingSafeEqual(Buffer.from(e.sig, 'base64url'), signature(this.#secret, e))) entries.push(e);
      else if (!this.#warned.has(row.key)) {
        this.#warned.add(row.key);
        this.#logger.warn({ name: row.key }, 'isolation: a worker registration does not verify with isolation.workers.secret; no viewer is sent to it');
      }
    }
    this.#cached = { at: now, entries };
    return entries;
  }

  /** Forgets the cached read (a relay to a listed worker just failed). */
  refresh(): void {
    this.#cached = null;
  }
}

function parseEntry(text: string | null): WorkerEntry | null {
  return parseStored(entrySchema, text);
}
