// What the viewer is owed beyond the screencast's own stream, and the checks that it got it.
// Owns two timers. The watchdog: a change the viewer must see (a new document's first paint, a new
// viewport) must be followed by a screencast frame captured after it — else the tab's pixels are
// taken by snapshot, and from the second try on the screencast is restarted too. Owed pixels: a
// viewer that attaches, or a page that has loaded, is owed the tab as it is now — a screencast frame
// captured since does that; with none WATCHDOG_MS later a snapshot is taken. Must not: send frames
// or acks (screencast.ts does), nor take the watchdog's snapshot while Chromium rightly holds a
// frame for the pacer (a frame owed an ack).
//
// Why owed pixels wait: a snapshot is a capture and a JPEG encode in the remote browser (~24 ms of
// its CPU here) plus a decode in the viewer, and on a first frame both came while the site was
// being painted — the viewer attaching mid-navigation, the load event just before the first paint —
// where the screencast's own frame of that paint followed within tens of ms and made the snapshot
// stale (thrown away). Taken at once, it competed with the frame it was there to back up.

/**
 * A change the viewer must see with no screencast frame captured after it this long later: the
 * tab's pixels are taken by hand (snapshot); still none after WATCHDOG_REARM_MS, the screencast is
 * restarted as well, up to WATCHDOG_TRIES times. Chromium 156 was seen to send a frame captured
 * before a commit after it, then nothing for the new document's paint, for good (the blank canvas
 * of the first-frame bench: 3 of 74 first frames at load 3–4). Also how long owed pixels wait.
 */
export const WATCHDOG_MS = 300;
export const WATCHDOG_REARM_MS = 700;
const WATCHDOG_TRIES = 3;

export interface FrameWatchHost {
  /** The tab session whose screencast runs (null: none). */
  casting(): string | null;
  /** A viewer is attached (nothing is owed to nobody). */
  viewing(): boolean;
  /** Chromium's frames not acked yet: while one is, Chromium holds the next paint for the pacer. */
  owed(): number;
  /** Takes the tab's pixels now and shows them, unless a newer screencast frame was shown meanwhile. */
  snapshot(): void;
  /** Stops and starts the screencast of `session` (a start captures the tab's pixels afresh). */
  restart(session: string): void;
}

export class FrameWatch {
  readonly #host: FrameWatchHost;
  /** A change not yet seen in a screencast frame: captured at or after `since` (epoch ms). */
  #expected: { since: number; tries: number; timer: NodeJS.Timeout } | null = null;
  /** Pixels owed to the viewer: a screencast frame captured at or after `since`, or a snapshot. */
  #owedPixels: { since: number; timer: NodeJS.Timeout } | null = null;

  constructor(host: FrameWatchHost) {
    this.#host = host;
  }

  /**
   * The cast tab changed in a way the viewer must see at `since` (epoch ms) at the earliest: a
   * screencast frame captured since then must follow (WATCHDOG_MS).
   */
  expectChange(since = Date.now()): void {
    if (!this.#host.casting() || !this.#host.viewing()) return;
    this.#settleChange();
    this.#expected = { since, tries: 0, timer: setTimeout(() => this.#watchdog(), WATCHDOG_MS) };
  }

  /**
   * The viewer is owed the tab's pixels as of now: a screencast frame captured from now on, or a
   * snapshot WATCHDOG_MS later. Owed again before that: the later moment counts, the first deadline.
   */
  owePixels(since = Date.now()): void {
    if (!this.#host.casting() || !this.#host.viewing()) return;
    if (this.#owedPixels) {
      this.#owedPixels.since = Math.max(this.#owedPixels.since, since);
      return;
    }
    const owed = {
      since,
      timer: setTimeout(() => {
        if (this.#owedPixels !== owed) return;
        this.#owedPixels = null;
        if (this.#host.casting() && this.#host.viewing()) this.#host.snapshot();
      }, WATCHDOG_MS),
    };
    this.#owedPixels = owed;
  }

  /** A screencast frame captured at `capturedAt` (epoch ms) came: what it shows is no longer owed. */
  framed(capturedAt: number): void {
    if (this.#expected && capturedAt >= this.#expected.since) this.#settleChange();
    if (this.#owedPixels && capturedAt >= this.#owedPixels.since) this.#settlePixels();
  }

  /** A snapshot asked for at `askedAt` (epoch ms) was shown: owed pixels are paid (the watchdog waits on its frame). */
  snapshotShown(askedAt: number): void {
    if (this.#owedPixels && askedAt >= this.#owedPixels.since) this.#settlePixels();
  }

  /** The viewer left or the screencast stopped: nothing is owed. */
  clear(): void {
    this.#settleChange();
    this.#settlePixels();
  }

  #settleChange(): void {
    if (this.#expected) clearTimeout(this.#expected.timer);
    this.#expected = null;
  }

  #settlePixels(): void {
    if (this.#owedPixels) clearTimeout(this.#owedPixels.timer);
    this.#owedPixels = null;
  }

  /**
   * No screencast frame has shown the change. While a frame is owed an ack, Chromium is rightly
   * holding the next one (the pacer's business): wait on. Else the pixels are taken by hand, and
   * from the second try on the screencast is restarted too (a start captures the tab's pixels
   * afresh, on the view the tab has now).
   */
  #watchdog(): void {
    const e = this.#expected;
    const s = this.#host.casting();
    if (!e || !s || !this.#host.viewing()) return this.#settleChange();
    if (this.#host.owed() === 0) {
      if (e.tries > 0) this.#host.restart(s);
      this.#host.snapshot();
      if (++e.tries >= WATCHDOG_TRIES) return this.#settleChange();
    }
    e.timer = setTimeout(() => this.#watchdog(), WATCHDOG_REARM_MS);
  }
}
