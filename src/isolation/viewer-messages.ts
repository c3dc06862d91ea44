// What a viewer may send, as a closed allow-list validated with zod: input events, navigation, tabs,
// frame acks, answers to dialogs and lists, paste and upload. Anything else — DevTools methods
// included — fails validation and is dropped. Must not: let a field reach Chromium unchecked.
import { z } from 'zod';

const mods = z.number().int().min(0).max(15).default(0);
const coord = z.number().finite().min(-1e6).max(1e6);
const shortText = (max: number) => z.string().max(max);

export const viewerMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('mouse'), a: z.enum(['down', 'up', 'move']), x: coord, y: coord,
    b: z.enum(['left', 'middle', 'right', 'none']).default('none'), n: z.number().int().min(0).max(3).default(1), mods,
  }),
  z.strictObject({ t: z.literal('wheel'), x: coord, y: coord, dx: coord, dy: coord, mods }),
  z.strictObject({
    t: z.literal('key'), a: z.enum(['down', 'up']), key: shortText(32), code: z.string().regex(/^[A-Za-z0-9]{0,32}$/),
    kc: z.number().int().min(0).max(255), mods,
  }),
  /** Committed text (typing, IME composition end, dead keys): inserted as typed text. */
  z.strictObject({ t: z.literal('text'), s: z.string().min(1).max(1000) }),
  z.strictObject({ t: z.literal('resize'), w: z.number().int().min(1).max(10_000), h: z.number().int().min(1).max(10_000), dpr: z.number().min(0.25).max(8) }),
  z.strictObject({ t: z.literal('nav'), url: z.string().min(1).max(8192) }),
  z.strictObject({ t: z.enum(['back', 'forward', 'reload', 'restart', 'print']) }),
  z.strictObject({ t: z.literal('tab'), a: z.enum(['switch', 'close', 'new']), id: z.string().max(64).optional() }),
  z.strictObject({ t: z.literal('ack'), f: z.number().int().min(0) }),
  z.strictObject({ t: z.literal('dialog'), ok: z.boolean(), s: z.string().max(8192).optional() }),
  z.strictObject({ t: z.literal('select'), i: z.number().int().min(-1).max(100_000) }),
  /** The local clipboard, from the viewer's paste event (only honoured when paste is "allow"). */
  z.strictObject({ t: z.literal('paste'), s: z.string().max(1_048_576) }),
  /** Announces a file for the open chooser; its bytes follow as binary messages. */
  z.strictObject({ t: z.literal('upload'), name: z.string().min(1).max(255), size: z.number().int().min(0) }),
  z.strictObject({ t: z.literal('upload-cancel') }),
]);
export type ViewerMessage = z.infer<typeof viewerMessageSchema>;

export type Parsed = { ok: true; msg: ViewerMessage } | { ok: false; error: string };

export function parseViewerMessage(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = viewerMessageSchema.safeParse(raw);
  if (!r.success) return { ok: false, error: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 't'}: ${i.message}`).join('; ') };
  return { ok: true, msg: r.data };
}
