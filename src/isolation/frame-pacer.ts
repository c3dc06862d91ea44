// Flow control for the screencast. Chromium sends the next frame only after an ack, so acking is
// the frame-rate cap: acks are due on a 1/fps grid (a late one goes at once and the grid stays put,
// so the long-run rate is the cap), never more than fps + 1 in any second; frames go to the viewer
// as they come, never more than fps + 1 in any second either (the jitter between an ack and its
// frame is absorbed, not turned into lost slots). Whether the viewer has room is screencast.ts's
// (a slow viewer slows the stream instead of queueing it). The viewer's ack round trip steers
// quality: slower → lower JPEG quality and fps, faster → back up. Pure (clock injected).
export interface PacerLevel { quality: number; fps: number }

const SLOW_RTT_MS = 300;
const FAST_RTT_MS = 100;
const SETTLE_MS = 2000;
/** An ack the viewer never sends must not freeze the stream: ack Chromium anyway after this. */
export const CLIENT_ACK_TIMEOUT_MS = 2000;
/**
 * How many periods behind the grid may be when a frame is *captured* and still be caught up. A
 * frame captured later than that means the page painted nothing meanwhile (it was still): the grid
 * starts afresh, and a page that starts moving again is not owed frames. A frame captured in time
 * but late to come (a slow encode under load) or to be acked (a viewer drawing) keeps its slot, up to
 * CATCH_UP_MS. (Until 2026-12-06 it was 1 s for both: a page still for 0.9 s before a scroll was owed
 * ~13 slots and made them up at fps + 1 for 13 s — 16.6–17 acks/s at a 15 cap, traced.)
 */
export const CATCH_UP_PERIODS = 2;
/** However the frame was captured, a grid further behind than this starts afresh. */
export const CATCH_UP_MS = 1000;
/** The burst limit's window: at most fps + 1 acks, and fps + 1 frames to the viewer, in any WINDOW_MS. */
const WINDOW_MS = 1000;

export function levelsFor(quality: number, maxFps: number): PacerLevel[] {
  return [
    { quality, fps: maxFps },
    { quality: Math.min(quality, 40), fps: Math.min(maxFps, 10) },
    { quality: Math.min(quality, 25), fps: Math.min(maxFps, 5) },
  ];
}

export class FramePacer {
  readonly levels: PacerLevel[];
  #level = 0;
  #lastChange = -Infinity;
  /** When the last ack was due on the grid (not when it went out). */
  #lastDue = -Infinity;
  /** When the last few acks went out, oldest first: the burst limit. */
  readonly #acks: number[] = [];
  /** When the last few frames went to the viewer, oldest first: the viewer's cap. */
  readonly #sends: number[] = [];
  #rtt: number | null = null;
  readonly #sent = new Map<number, number>();

  constructor(quality: number, maxFps: number) {
    this.levels = levelsFor(quality, maxFps);
  }

  get level(): PacerLevel {
    return this.levels[this.#level]!;
  }

  get rttMs(): number | null {
    return this.#rtt;
  }

  /** A frame went to the viewer. */
  sent(frame: number, now: number): void {
    this.#sent.set(frame, now);
    this.#sends.push(now);
    if (this.#sends.length > this.#burst()) this.#sends.shift();
    // Only the newest few matter; acks for older ones are late anyway.
    if (this.#sent.size > 8) this.#sent.delete(this.#sent.keys().next().value!);
  }

  /**
   * When Chromium may be acked (ms from now) for a frame captured at `capturedAt` (epoch ms, the
   * frame's metadata.timestamp; unknown: as if captured now), keeping to the fps cap.
   */
  delayBeforeAck(now: number, capturedAt = now): number {
    return Math.max(0, this.#due(now, capturedAt) - now, this.#windowOpens(this.#acks) - now);
  }

  /**
   * When a frame may go to the viewer (ms from now): never more than fps + 1 in any WINDOW_MS, as
   * for the acks. Not fps: frames come one per ack but with their encode's jitter, and a frame held
   * back by a full window is a slot lost for good (the acks' grid does not know) — with fps, 14.7
   * frames/s reached the viewer under a 15 fps cap while Chromium sent 15.0 (traced, quiet box).
   */
  delayBeforeSend(now: number): number {
    return Math.max(0, this.#windowOpens(this.#sends) - now);
  }

  /** When one more of `times` fits the burst limit: WINDOW_MS after the burst-th newest. */
  #windowOpens(times: number[]): number {
    const most = this.#burst();
    return times.length < most ? -Infinity : times[times.length - most]! + WINDOW_MS;
  }

  acked(now: number, capturedAt = now): void {
    this.#lastDue = this.#due(now, capturedAt);
    this.#acks.push(now);
    if (this.#acks.length > this.#burst()) this.#acks.shift();
  }

  /**
   * At most this many acks, and frames to the viewer, in any WINDOW_MS: the cap plus one frame, so
   * a late frame's slot can be made up (the grid); the long-run rate is the cap (the grid).
   */
  #burst(): number {
    return Math.floor(this.level.fps * WINDOW_MS / 1000) + 1;
  }

  /**
   * The next ack is due one period after the last one was due, not after it went out: a frame that
   * came late is acked at once and the grid is not shifted, so the frames after it make up the slot
   * (the burst limit bounds how fast) and the average rate is the cap rather than cap minus every
   * late frame's delay (seen: 14.7 fps under a 15 fps cap while scrolling). More than
   * CATCH_UP_PERIODS behind at the frame's capture (a still page), or CATCH_UP_MS behind now, starts
   * a new grid: no burst to catch up.
   */
  #due(now: number, capturedAt: number): number {
    const period = 1000 / this.level.fps;
    const due = this.#lastDue + period;
    const captured = Number.isFinite(capturedAt) ? Math.min(capturedAt, now) : now;
    return due < captured - CATCH_UP_PERIODS * period || due < now - CATCH_UP_MS ? now : due;
  }

  /** The viewer drew `frame`. Returns the new level when quality should change, else null. */
  viewerAck(frame: number, now: number): PacerLevel | null {
    const at = this.#sent.get(frame);
    if (at === undefined) return null;
    this.#sent.delete(frame);
    const sample = now - at;
    this.#rtt = this.#rtt === null ? sample : this.#rtt * 0.7 + sample * 0.3;
    return this.#adapt(now);
  }

  /** The viewer did not ack in time: counts as a slow sample. */
  viewerTimeout(now: number): PacerLevel | null {
    this.#rtt = Math.max(this.#rtt ?? 0, CLIENT_ACK_TIMEOUT_MS);
    return this.#adapt(now);
  }

  #adapt(now: number): PacerLevel | null {
    if (now - this.#lastChange < SETTLE_MS || this.#rtt === null) return null;
    let next = this.#level;
    if (this.#rtt > SLOW_RTT_MS && next < this.levels.length - 1) next++;
    else if (this.#rtt < FAST_RTT_MS && next > 0) next--;
    if (next === this.#level) return null;
    this.#level = next;
    this.#lastChange = now;
    return this.level;
  }
}
