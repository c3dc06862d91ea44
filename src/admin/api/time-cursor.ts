// Cursor paging for logs the store orders by time (newest first) and can cut with `time < before`:
// the cursor is the last page's oldest time plus how many entries of exactly that time it already
// gave, so a page ending inside a millisecond loses and repeats nothing. Owns: that cursor.
// Must not: know any particular log.
import { z } from 'zod';
import { decodeCursor, encodeCursor } from './cursor.ts';

const timeCursor = z.strictObject({ t: z.number().int(), k: z.number().int().min(1).max(10_000) });

export async function timePage<T extends { time: number }>(
  cursor: string | undefined, limit: number, fetch: (q: { before?: number; limit: number }) => Promise<T[]>,
): Promise<{ page: T[]; nextCursor: string | null }> {
  const c = decodeCursor(cursor, timeCursor);
  const skip = c?.k ?? 0;
  const rows = await fetch({ ...(c ? { before: c.t + 1 } : {}), limit: limit + skip + 1 });
  const page = rows.slice(skip, skip + limit);
  const last = page.at(-1);
  let nextCursor: string | null = null;
  if (rows.length > skip + limit && last) {
    const sameTime = page.filter((e) => e.time === last.time).length;
    nextCursor = encodeCursor({ t: last.time, k: sameTime + (c && c.t === last.time ? skip : 0) });
  }
  return { page, nextCursor };
}
