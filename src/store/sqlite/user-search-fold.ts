// Moves users waiting in scim_users_search_pending (new or renamed since the last fold, migration
// 017) into the FTS5 trigram index of the admin user search, many per transaction: FTS5 writes a
// segment per transaction, so one write per SCIM request cost SCIM a fifth of its POST /Users rate.
// The search reads pending users too, so a fold changes how fast a search is, never what it finds.
// Owns: the fold and its timer. Must not: run outside the executor's lock (a transaction may be open).
import type { StoreLogger } from '../ports.ts';
import type { SqlExecutor } from '../sql/executor.ts';

/** How often pending users are folded into the index. */
export const FOLD_INTERVAL_MS = 1000;

export async function foldPendingUserSearch(ex: SqlExecutor): Promise<number> {
  return ex.atomic(async (tx) => {
    const [r] = await tx.all('SELECT count(*) AS n FROM scim_users_search_pending');
    const n = Number(r?.n ?? 0);
    if (n === 0) return 0;
    // New users get their index key here, in one statement for the lot (not one per SCIM request).
    await tx.run('INSERT OR IGNORE INTO scim_users_search_keys (directory_id, id) SELECT directory_id, id FROM scim_users_search_pending');
    // A renamed user's old entry was removed by the update trigger; removing again is harmless and
    // covers a user renamed twice between folds.
    await tx.run(`DELETE FROM scim_users_search WHERE rowid IN (SELECT k.k FROM scim_users_search_pending p
      JOIN scim_users_search_keys k ON k.directory_id = p.directory_id AND k.id = p.id)`);
    await tx.run(`INSERT INTO scim_users_search (rowid, user_name, display_name)
      SELECT k.k, u.user_name_key, moatless_lower(u.display_name)
      FROM scim_users_search_pending p JOIN scim_users_search_keys k ON k.directory_id = p.directory_id AND k.id = p.id
      JOIN scim_users u ON u.directory_id = p.directory_id AND u.id = p.id`);
    await tx.run('DELETE FROM scim_users_search_pending');
    return n;
  });
}

/** Folds about once a second until stopped; stop() folds what is left. */
export function startUserSearchFold(ex: SqlExecutor, logger?: StoreLogger): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const fold = () => {
    running = running.then(() => foldPendingUserSearch(ex)).catch((err: unknown) => {
      // The search stays exact without the fold (it reads pending users); only its speed suffers.
      logger?.warn({ err: (err as Error).message }, 'user search index: fold failed; will retry');
    });
    return running;
  };
  const timer = setInterval(fold, FOLD_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await fold();
    },
  };
}
