// One runner at a time across replicas for a job (the Entra group-change poller; each risk-sync
// cycle, src/risk/cycle-lease.ts; later jobs): a lease row in the store's kv, renewed by its holder
// and taken over by another replica once it has expired; given up only by its holder (kv.unclaim).
// Owns: the lease's key, holder id and length. Must not: run the job — callers ask `hold()` before
// each round.
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from './ports.ts';

export const LEASE_NS = 'lease';

export interface Lease {
  readonly holder: string;
  /** Takes the lease if free or expired, renews it if ours; false while another replica holds it. */
  hold(): Promise<boolean>;
  /** Gives the lease up if we hold it, so another replica takes over at once. */
  release(): Promise<void>;
}

/**
 * `ttlMs` should be about 1.5 of the job's tick: a holder that stops renewing (it died) is then
 * replaced within two ticks, and one slow tick does not hand the job over.
 */
export function createLease(kv: KeyValueStore, key: string, ttlMs: number, opts: { holder?: string; now?: () => number } = {}): Lease {
  const holder = opts.holder ?? randomUUID();
  const now = opts.now ?? Date.now;
  return {
    holder,
    hold: () => kv.claim(LEASE_NS, key, holder, now() + ttlMs),
    async release() {
      await kv.unclaim(LEASE_NS, key, holder);
    },
  };
}
