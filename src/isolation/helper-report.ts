// Validation of what the in-page helper reports (page-helper.ts). The DOM it reads belongs to the
// isolated site, so every field is bounded before it reaches the viewer.
import { z } from 'zod';

const CURSOR = /^(auto|default|none|context-menu|help|pointer|progress|wait|cell|crosshair|text|vertical-text|alias|copy|move|no-drop|not-allowed|grab|grabbing|all-scroll|col-resize|row-resize|[nsew]{1,2}-resize|nesw-resize|nwse-resize|zoom-in|zoom-out)$/;

const reportSchema = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('cursor'), v: z.string().max(200) }),
  z.strictObject({
    k: z.literal('select'),
    options: z.array(z.strictObject({ label: z.string().max(200), disabled: z.boolean() })).max(500),
    selected: z.number().int().min(-1),
  }),
]);
export type HelperReport = z.infer<typeof reportSchema>;

export function parseHelperReport(payload: string): HelperReport | null {
  if (payload.length > 200_000) return null;
  try {
    const r = reportSchema.safeParse(JSON.parse(payload));
    if (!r.success) return null;
    // url(...) cursors and anything unknown collapse to "default": no site-chosen image on the device.
    if (r.data.k === 'cursor') {
      const first = r.data.v.split(',').at(-1)!.trim();
      return { k: 'cursor', v: CURSOR.test(first) ? first : 'default' };
    }
    return r.data;
  } catch {
    return null;
  }
}
