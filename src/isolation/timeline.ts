// Where a session's first frame spends its time: named moments from the viewer's request to the
// first frame of the site sent to it, each kept once (the first time), in epoch milliseconds so a
// benchmark can line them up with the user's page (performance.timeOrigin + now() in both). Cheap:
// a handful of numbers per session, read by bench/isolation.ts and nothing else.
export type TimelineMark =
  | 'request' | 'browser' | 'policy' | 'ready' | 'attached' | 'navigate' | 'commit' | 'paint' | 'cast' | 'frame' | 'sent' | 'shown';

export class Timeline {
  readonly marks: Partial<Record<TimelineMark, number>> = {};
  /** The browser came from the pool (known once it is in hand). */
  pooled: boolean | null = null;

  mark(name: TimelineMark): void {
    const now = performance.timeOrigin + performance.now();
    this.marks[name] ??= now;
    // The first frame sent after the remote page's first paint: the earliest that can show the site.
    if (name === 'sent' && this.marks.paint !== undefined) this.marks.shown ??= now;
  }
}
