// Runs one SCIM write: the store transaction, the effects collected during it, and the after-commit
// effects — all before the caller builds its response. Owns: the optimistic-concurrency retry.
// Must not: know which resource is changed, or run after-commit effects more than once.
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreVersionError } from '../store/errors.ts';
import type { Store, TxStore } from '../store/ports.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { ProvisioningEffects } from './provisioning-effects.ts';
import type { ScimContext, ScimRequest, ScimServiceDeps } from './scim-types.ts';

/** Bounded: a write that loses this many races in a row is answered 412 rather than held forever. */
export const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 4;
const BACKOFF_CAP_MS = 250;

/** Per store, so two stores in one process (replicas in a test) race like two processes would. */
const retryQueues = new WeakMap<Store, KeyedMutex>();

/**
 * The key under which a write to one resource is retried after a version clash, or undefined
 * when it must not be: with If-Match the clash is the client's precondition failing (412).
 */
export function retryKey(req: ScimRequest, ctx: ScimContext, type: 'User' | 'Group', id: string): string | undefined {
  return req.headers.ifMatch === undefined ? `${ctx.directoryId}\n${type}\n${id}` : undefined;
}

/** "Full jitter" backoff: writers from other replicas wake at random points of a doubling window. */
function backoff(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

/**
 * `fn` reads and writes through `tx` only. A write without If-Match that clashes with a concurrent
 * writer is retried from a fresh read rather than surfaced as 412: the client never asked for
 * optimistic locking, and last-writer-wins is what Entra expects. The first attempt runs at once
 * (member-only group PATCHes never clash, and must not queue); retries of one resource queue
 * behind each other in this process, so N local writers settle in N turns instead of thrashing,
 * and only writers on other replicas can still clash — those are spread by the backoff.
 */
export async function inChange<T>(
  deps: ScimServiceDeps,
  ctx: ScimContext,
  retry: string | undefined,
  fn: (tx: TxStore, fx: ProvisioningEffects) => Promise<T>,
): Promise<T> {
  const once = async (): Promise<{ out: T; fx: ProvisioningEffects }> => {
    const fx = new ProvisioningEffects(ctx.directoryId);
    const out = await deps.store.transaction(async (tx) => {
      const r = await fn(tx, fx);
      await fx.applyInTx(tx, ctx.now);
      return r;
    });
    return { out, fx };
  };
  const done = await once().catch((err: unknown) => {
    if (retry === undefined || !(err instanceof StoreVersionError)) throw err;
    return retried(deps.store, retry, once);
  });
  // Outside the retry: once committed, the effects run exactly once.
  await done.fx.afterCommit(deps);
  return done.out;
}

async function retried<R>(store: Store, key: string, once: () => Promise<R>): Promise<R> {
  let queue = retryQueues.get(store);
  if (!queue) retryQueues.set(store, (queue = new KeyedMutex()));
  return queue.run(key, async () => {
    for (let attempt = 2; ; attempt++) {
      try {
        return await once();
      } catch (err) {
        if (!(err instanceof StoreVersionError) || attempt >= MAX_ATTEMPTS) throw err;
        await sleep(backoff(attempt));
      }
    }
  });
}
