// Store.transaction for both adapters: the repositories bound to one transaction, plus changes
// published with it. Owns: writing those changes just before commit and delivering them locally
// right after. Must not: announce anything of a transaction that rolled back.
import { encodeChange, type ChangeLogReader } from '../change-log-reader.ts';
import type { TxChanges, TxStore } from '../ports.ts';
import { appendChange } from './change-log-repo.ts';
import type { SqlExecutor } from './executor.ts';
import { repositories } from './repositories.ts';

export async function transactionWithChanges<T>(
  ex: SqlExecutor,
  clock: () => number,
  feed: Pick<ChangeLogReader, 'origin' | 'deliverLocal' | 'now'>,
  fn: (tx: TxStore) => Promise<T>,
): Promise<T> {
  const queued: Array<[topic: string, json: string]> = [];
  const out = await ex.atomic(async (txEx) => {
    const changes: TxChanges = {
      publish: async (topic, payload) => { queued.push([topic, encodeChange(payload)]); },
    };
    const result = await fn({ ...repositories(txEx, clock), changes });
    // Last, so the time between taking a log id and committing it stays tiny (readers wait on gaps).
    for (const [topic, json] of queued) await appendChange(txEx, feed.origin, topic, json, feed.now());
    return result;
  });
  for (const [topic, json] of queued) feed.deliverLocal(topic, json);
  return out;
}
