// Opaque paging cursors: base64url JSON the client hands back unchanged. Owns: encoding and
// checking their shape. Must not: trust a cursor — a tampered one is a 400, never a broader query.
import { z } from 'zod';
import { ApiError } from './errors.ts';

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(text: string | undefined, schema: S): z.output<S> | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError('invalid_request', 'the request query is invalid', [{ path: 'query.cursor', message: 'not a cursor this endpoint returned' }]);
  return parsed.data;
}

/** Offset cursors for lists the store pages by offset (sessions, directory). */
export const offsetCursor = z.strictObject({ o: z.number().int().min(0).max(10_000_000) });

export function nextOffset(offset: number, pageSize: number, total: number): string | null {
  return offset + pageSize < total && pageSize > 0 ? encodeCursor({ o: offset + pageSize }) : null;
}

/** Keyset cursors for lists paged by (createdAt, id): the last row's c(reatedAt) and i(d). */
export const keyCursor = z.strictObject({ c: z.number().int(), i: z.string().min(1).max(200) });
