// A JSON value read back from the store (kv rows written by this or another process, maybe an older
// version): validated, never cast. Unreadable or the wrong shape reads as absent, so each caller says
// what absent means (never ran, no lease, no worker) instead of failing its request.
import type { z } from 'zod';

export function parseStored<S extends z.ZodType>(schema: S, text: string | null): z.infer<S> | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const r = schema.safeParse(value);
  return r.success ? r.data : null;
}
