// Moving a policy of an API app up or down. Owns: the new sequence, saved in one write
// (PUT /apps/{id}/policy-order) with every policy's ETag, so no replica ever serves a half-moved
// app and a change someone made meanwhile is a 412, not overwritten. Must not: render.
import { api } from '../api.ts';
import type { Policy } from '../types.ts';

/** The app's policies with the one at `from` moved to `to`. */
export function moved(policies: readonly Policy[], from: number, to: number): Policy[] {
  const next = [...policies];
  const [p] = next.splice(from, 1);
  if (!p || to < 0 || to > next.length) return [...policies];
  next.splice(to, 0, p);
  return next;
}

export async function saveOrder(app: string, policies: readonly Policy[]): Promise<void> {
  await api.write('PUT', `/apps/${encodeURIComponent(app)}/policy-order`, {
    policies: policies.map((p) => ({ id: p.id, etag: p.etag ?? '' })),
  });
}
