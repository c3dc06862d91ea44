// Moving a policy of an API app up or down: its evaluation order is the policies' `order` field
// (ascending, then creation). Owns: which policies get which new `order`, and saving each with
// If-Match (a 412 means someone else changed one since the list was read). Must not: render.
import { api } from '../api.ts';
import type { Policy } from '../types.ts';

/** The policies whose `order` must change so that the one at `from` ends up at `to`. */
export function orderChanges(policies: readonly Policy[], from: number, to: number): { policy: Policy; order: number }[] {
  const next = [...policies];
  const [moved] = next.splice(from, 1);
  if (!moved || to < 0 || to > next.length) return [];
  next.splice(to, 0, moved);
  // Renumbered in steps of 10: after the first move every order is distinct, so later moves change two.
  return next
    .map((policy, i) => ({ policy, order: (i + 1) * 10 }))
    .filter(({ policy, order }) => Number(policy.definition?.['order'] ?? 0) !== order);
}

/** Saves the new orders one policy at a time, each guarded by the ETag it was read with. */
export async function saveOrder(changes: readonly { policy: Policy; order: number }[]): Promise<void> {
  for (const { policy, order } of changes) {
    await api.write('PATCH', `/policies/${encodeURIComponent(policy.id)}`, { order }, policy.etag ?? undefined);
  }
}
