// The frame a slow viewer's socket had no room for. Above MAX_BUFFERED bytes waiting on the socket a
// frame is not queued (a slow viewer slows the stream instead), but the newest such frame is kept
// and sent once the socket has drained, unless a newer frame went first: a page that went still
// while its viewer was slow otherwise left the viewer on an older picture for good (the screencast
// sends nothing more for a still page). Owns: the threshold, the one frame held, the drain check
// (polled: ws has no drain event of its own). Must not: keep more than one frame.
import type { RemoteSink } from './screencast.ts';

/** Above this many bytes waiting on the viewer's socket a frame is held, not sent. */
export const MAX_BUFFERED = 1_000_000;
/** How often a held frame's socket is looked at: the wait it adds after the socket drains, at most. */
export const DRAIN_POLL_MS = 100;

export class HeldFrame {
  readonly #sink: () => RemoteSink | null;
  readonly #drained: (frame: Buffer) => void;
  #frame: Buffer | null = null;
  #timer: NodeJS.Timeout | null = null;

  /** `drained` gets the held frame once the viewer's socket (`sink`, as it is then) has room. */
  constructor(sink: () => RemoteSink | null, drained: (frame: Buffer) => void) {
    this.#sink = sink;
    this.#drained = drained;
  }

  /** Whether `sink` has room for `frame` now; if not, `frame` is held (an older one is dropped). */
  admit(sink: RemoteSink, frame: Buffer): boolean {
    if (sink.bufferedAmount() <= MAX_BUFFERED) {
      this.clear();
      return true;
    }
    this.#frame = frame;
    this.#timer ??= setInterval(() => this.#check(), DRAIN_POLL_MS);
    return false;
  }

  /** Nothing is owed the viewer any more: a newer frame went, the stream moved on or stopped. */
  clear(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#frame = null;
  }

  #check(): void {
    const sink = this.#sink();
    const frame = this.#frame;
    // No viewer: the next one is sent the newest frame when it attaches.
    if (!sink || !frame) return this.clear();
    if (sink.bufferedAmount() > MAX_BUFFERED) return;
    this.clear();
    this.#drained(frame);
  }
}
