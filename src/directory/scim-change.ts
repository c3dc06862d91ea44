// Runs one SCIM write: the store transaction, the effects collected during it, and the after-commit
// effects — all before the caller builds its response. Owns: the optimistic-concurrency retry.
// Must not: know which resource is changed.
import { StoreVersionError } from '../store/errors.ts';
import type { TxStore } from '../store/ports.ts';
import { ProvisioningEffects } from './provisioning-effects.ts';
import type { ScimContext, ScimServiceDeps } from './scim-types.ts';

const MAX_ATTEMPTS = 5;

/**
 * `fn` reads and writes through `tx` only. When the client sent no If-Match, a version clash with
 * a concurrent writer (PostgreSQL replicas) is retried from a fresh read rather than surfaced as
 * 412: the client never asked for optimistic locking, and last-writer-wins is what Entra expects.
 */
export async function inChange<T>(
  deps: ScimServiceDeps,
  ctx: ScimContext,
  retryOnVersion: boolean,
  fn: (tx: TxStore, fx: ProvisioningEffects) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const fx = new ProvisioningEffects(ctx.directoryId);
    try {
      const out = await deps.store.transaction(async (tx) => {
        const r = await fn(tx, fx);
        await fx.applyInTx(tx, ctx.now);
        return r;
      });
      await fx.afterCommit(deps);
      return out;
    } catch (err) {
      if (err instanceof StoreVersionError && retryOnVersion && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}
