// The screencast of the active tab, paced to its viewer. Owns: starting and stopping Chromium's
// screencast (a new quality is a stop then a start: Chromium 156 refuses a second start while one
// runs), two frames in flight with sendLastFrame, every Chromium frame acked exactly once and on the
// pacer's slots, frames to the viewer within the pacer's cap (one waits for its moment at most),
// frames older than one already shown kept off the canvas, the viewer's frame numbers and acks (two
// frames deep at most), the quality/fps steps (frame-pacer.ts), the frame size cap, the newest frame
// a full socket could not take (held-frame.ts), and snapshots (the tab's pixels taken by hand); when
// one is due — a new viewer, a loaded page, a paint or resize followed by no frame — frame-watch.ts
// decides. Must not: queue frames for a slow viewer, choose which tab is shown (tabs.ts does), or
// touch a page's content.
import type { CdpConnection, CdpParams } from './cdp-pipe.ts';
import { CLIENT_ACK_TIMEOUT_MS, FramePacer } from './frame-pacer.ts';
import { FrameWatch } from './frame-watch.ts';
import { HeldFrame } from './held-frame.ts';
import type { TimelineMark } from './timeline.ts';
import type { ViewerEvent } from './types.ts';

export interface RemoteSink {
  frame(data: Buffer): void;
  event(e: ViewerEvent): void;
  bufferedAmount(): number;
}

export interface ScreencastHost {
  /** The active tab's DevTools session, or null while there is none. */
  session(): string | null;
  sink(): RemoteSink | null;
  /** The largest frame sent, in device pixels. */
  maxFrame(): { width: number; height: number };
  mark(m: TimelineMark): void;
  /** A page other than about:blank has committed (the timeline's frames count from there). */
  committed(): boolean;
}

/**
 * How much earlier than the moment a change is heard of its frame may have been captured: the paint
 * is presented before Chromium's lifecycle event reaches this process (never before the commit).
 */
const CHANGE_SLACK_MS = 150;

/**
 * Chromium's frames in flight (captured, not acked). With one, a frame comes only after the ack of
 * the one before: its capture and encode (17 ms median on a quiet box while scrolling, 60–200 ms on
 * a busy one) must fit in one 1/fps slot, or the slot is lost (11 fps at 90 ms under a 15 fps cap).
 * With two, Chromium encodes the next frame while the server waits for the current one's slot; the
 * acks still go one per slot, so the rate stays the cap.
 */
const IN_FLIGHT = 2;
/** Frames sent to the viewer and not drawn, plus those Chromium may still send it: the most there ever are. */
const VIEWER_DEPTH = 2;
export const FRAME_TAG = 1;

export class Screencast {
  readonly #cdp: CdpConnection;
  readonly #host: ScreencastHost;
  #pacer: FramePacer;
  #frameNo = 0;
  /** The newest frame the viewer has drawn (its ack). */
  #drawn = 0;
  /**
   * Chromium's frames not acked yet, oldest first (one, unless a restart left an old frame behind).
   * `ackId` is the screencast's session id Chromium put on the frame: it is the session current when
   * the frame was *sent*, so a frame captured before a restart and sent after it carries the new id
   * and counts against the new session's frames in flight (seen: the new session then ran two deep).
   * `at`: when it was captured (epoch ms), which tells the pacer a slow encode from a still page.
   */
  #owed: { session: string; ackId: number; at: number }[] = [];
  /** The compositor time (ms) of the newest screencast frame sent to the viewer. */
  #newestShown = -Infinity;
  #ackTimer: NodeJS.Timeout | null = null;
  /** A frame waiting for its moment under the viewer's cap (a newer one replaces it), and its timer. */
  #waiting: Buffer | null = null;
  #sendTimer: NodeJS.Timeout | null = null;
  #viewerTimer: NodeJS.Timeout | null = null;
  #lastFrame: Buffer | null = null;
  /** The newest frame the viewer's socket had no room for, sent when it drains. */
  readonly #held: HeldFrame;
  /** The tab session whose screencast runs, and its JPEG quality and frame size cap. */
  #casting: string | null = null;
  #castAs: string | null = null;
  /** When the cast tab's newest document committed, as heard here (epoch ms). */
  #committedAt = -Infinity;
  /** The watchdog and the pixels owed to the viewer (frame-watch.ts). */
  readonly #watch: FrameWatch;

  constructor(cdp: CdpConnection, host: ScreencastHost, quality: number, maxFps: number) {
    this.#cdp = cdp;
    this.#host = host;
    this.#pacer = new FramePacer(quality, maxFps);
    this.#watch = new FrameWatch({
      casting: () => this.#casting, viewing: () => this.#host.sink() !== null, owed: () => this.#owed.length,
      snapshot: () => void this.snapshot(), restart: (session) => this.#restart(session),
    });
    this.#held = new HeldFrame(() => this.#host.sink(), (frame) => { if (this.#deliver(frame)) this.#sentOne(); });
  }

  /** A session's pacing replaces the prepared browser's. */
  repace(quality: number, maxFps: number): void {
    this.#pacer = new FramePacer(quality, maxFps);
  }

  get level(): { quality: number; fps: number } { return this.#pacer.level; }

  isCasting(session: string | undefined): boolean {
    return session !== undefined && session === this.#casting;
  }

  /** The screen moves off `session`: its screencast, if it runs, stops. */
  leave(session: string): void {
    if (this.#casting !== session) return;
    this.#dropWaiting();
    this.#cdp.post('Page.stopScreencast', {}, session);
    this.#casting = null;
  }

  /** The cast tab's target is gone, and its screencast with it. */
  lost(): void {
    this.#casting = null;
  }

  start(): void {
    const s = this.#host.session();
    if (!s) return;
    this.#host.mark('cast');
    const quality = this.#pacer.level.quality;
    const { width: maxWidth, height: maxHeight } = this.#host.maxFrame();
    const as = `${quality} ${maxWidth}x${maxHeight}`;
    // Already casting this tab at this quality and size cap (a pooled browser armed for its session,
    // remote-browser.ts): nothing to do. A resize needs no restart, the capture follows the page's
    // size up to the cap.
    if (this.#casting === s && this.#castAs === as) return;
    // Chromium refuses a second start while a screencast runs ("Screencast is already active"), so
    // a new quality is a stop and a start. A start always sends the tab's current pixels first.
    if (this.#casting !== null) this.#cdp.post('Page.stopScreencast', {}, this.#casting);
    // Another tab's frames are not older or newer than this one's: only a restart of the same tab
    // keeps the newest time shown, so its old frames stay off the canvas.
    if (this.#casting !== s) {
      this.#newestShown = -Infinity;
      this.#dropWaiting();
    }
    this.#casting = s;
    this.#castAs = as;
    // IN_FLIGHT frames: Chromium sends more only after an ack (the fps cap), and keeps the newest
    // paint meanwhile (sendLastFrame), sent at the ack — so the last paint before a page goes still
    // always reaches the viewer. (With the default three in flight and no sendLastFrame, a paint made
    // while three waited was dropped, not queued: a static page then never showed its final state.)
    this.#cdp.post('Page.startScreencast', {
      format: 'jpeg', quality, everyNthFrame: 1, maxFramesInFlight: IN_FLIGHT, sendLastFrame: true, maxWidth, maxHeight,
    }, s);
  }

  stop(): void {
    this.#watch.clear();
    const s = this.#casting;
    this.#dropWaiting();
    this.#casting = null;
    this.#castAs = null;
    if (s) this.#cdp.post('Page.stopScreencast', {}, s);
  }

  onFrame(p: CdpParams, sid: string | undefined): void {
    const ackId = Number(p.sessionId);
    if (!sid || sid !== this.#casting) {
      if (sid) this.#cdp.post('Page.screencastFrameAck', { sessionId: ackId }, sid);
      return;
    }
    // Every frame is acked exactly once: an ack never sent keeps a frame "in flight" for good, and
    // Chromium sends nothing more once its limit is reached (the canvas froze on a stale picture).
    // An ack with an older session id than this frame's frees nothing (a restart reset the count):
    // it goes at once. The others go one per pacer slot, so two in flight still keep to the cap.
    const current = (o: { session: string; ackId: number }) => o.session === sid && o.ackId >= ackId;
    for (const o of this.#owed) if (!current(o)) this.#cdp.post('Page.screencastFrameAck', { sessionId: o.ackId }, o.session);
    this.#owed = this.#owed.filter(current);
    const at = Number((p.metadata as { timestamp?: unknown } | undefined)?.timestamp) * 1000;
    this.#owed.push({ session: sid, ackId, at });
    // A frame painted before one already shown (captured before a restart, sent after the new
    // session's first frame) would put the canvas back in time, and on a page that then stays still,
    // for good: it is acked, never drawn.
    this.#watch.framed(at);
    if (at < this.#newestShown) return this.#scheduleAck(true);
    if (Number.isFinite(at)) this.#newestShown = at;
    if (this.#host.committed()) this.#host.mark('frame');
    // Within the viewer's cap it goes now; otherwise it waits the few ms until it fits, and a newer
    // frame coming meanwhile takes its place (one waits at most: never a queue).
    this.#waiting = Buffer.from(String(p.data), 'base64');
    if (this.#sendTimer) return this.#scheduleAck();
    this.#sendInTurn();
  }

  /**
   * The waiting frame goes when the cap allows, asked again when its timer fires: a timer can fire a
   * few ms before Date.now() says it is due (libuv's loop time is cached), and once, under load, one
   * such early send made 16 frames in one second.
   */
  #sendInTurn(): void {
    const wait = this.#pacer.delayBeforeSend(Date.now());
    if (wait === 0) return this.#send();
    this.#sendTimer = setTimeout(() => {
      this.#sendTimer = null;
      this.#sendInTurn();
    }, wait);
  }

  /** The waiting frame goes to the viewer. */
  #send(): void {
    const jpeg = this.#waiting;
    this.#waiting = null;
    if (!jpeg) return;
    const frame = this.#frame(jpeg);
    this.#lastFrame = frame;
    // No room on the viewer's socket: Chromium is acked all the same (the stream is not queued),
    // and the newest such frame goes when the socket drains.
    if (!this.#deliver(frame)) return this.#scheduleAck(true);
    this.#sentOne();
  }

  /** `frame` to the viewer, if its socket has room; else held until it drains (held-frame.ts). */
  #deliver(frame: Buffer): boolean {
    const sink = this.#host.sink();
    if (!sink || !this.#held.admit(sink, frame)) return false;
    this.#put(sink, frame);
    return true;
  }

  #put(sink: RemoteSink, frame: Buffer): void {
    sink.frame(frame);
    if (this.#host.committed()) this.#host.mark('sent');
    this.#pacer.sent(frame.readUInt32BE(1), Date.now());
  }

  /** A screencast frame reached the viewer. */
  #sentOne(): void {
    // Chromium may paint and encode the next frames while the viewer decodes this one, as far as
    // the viewer has room (#viewerHasRoom).
    this.#scheduleAck();
    if (this.#viewerTimer) clearTimeout(this.#viewerTimer);
    this.#viewerTimer = setTimeout(() => {
      this.#viewerTimer = null;
      if (this.#pacer.viewerTimeout(Date.now())) this.start();
      this.#scheduleAck(true);
    }, CLIENT_ACK_TIMEOUT_MS);
  }

  /** A JPEG as the viewer's binary frame message, numbered. */
  #frame(jpeg: Buffer): Buffer {
    const frame = Buffer.allocUnsafe(5 + jpeg.length);
    frame[0] = FRAME_TAG;
    frame.writeUInt32BE(++this.#frameNo >>> 0, 1);
    jpeg.copy(frame, 5);
    return frame;
  }

  /**
   * The tab's pixels now, as a frame: what a viewer that attaches, or a page that has loaded, must
   * be shown. The screencast alone does not promise it: a frame painted while the previous one
   * awaits its ack is dropped, not queued, and a static page paints nothing more. (Seen: a pooled
   * session whose site painted before its viewer attached sent the viewer only the blank frame from
   * just after the commit, and the site never reached the canvas.)
   */
  async snapshot(): Promise<void> {
    const session = this.#host.session();
    if (!session || !this.#host.sink()) return;
    // The screenshot shows the page as it is at the request or later (epoch ms, the clock of the
    // screencast frames' capture times).
    const asked = Date.now();
    const shot = { format: 'jpeg', quality: this.#pacer.level.quality, optimizeForSpeed: true };
    const r = await this.#cdp.send('Page.captureScreenshot', shot, session).catch(() => null) as { data?: string } | null;
    const sink = this.#host.sink();
    // A screencast frame captured after the request went out meanwhile, or another tab took the
    // screen: this one is stale. A frame that merely *arrived* meanwhile is not newer: seen, a frame
    // of the blank page captured before the commit and sent after the load's snapshot was asked for,
    // which then threw the site's snapshot away.
    if (!r?.data || !sink || this.#newestShown >= asked || this.#host.session() !== session) return;
    // Screencast frames captured before the request are older than this one: they stay off the canvas.
    this.#newestShown = asked;
    this.#watch.snapshotShown(asked);
    // A frame still waiting for its moment was captured before the shot was asked for: older, not shown.
    this.#dropWaiting();
    const frame = this.#frame(Buffer.from(r.data, 'base64'));
    this.#lastFrame = frame;
    this.#deliver(frame);
  }

  /**
   * The viewer drew `frame`. Once it has drawn all but the newest frame sent, Chromium may send the
   * next one, no sooner than the fps cap allows: a slow viewer slows the stream, never queues it.
   */
  viewerAck(frame: number): void {
    if (frame > this.#frameNo || frame <= this.#drawn) return;
    this.#drawn = frame;
    if (frame === this.#frameNo && this.#viewerTimer) {
      clearTimeout(this.#viewerTimer);
      this.#viewerTimer = null;
    }
    if (this.#pacer.viewerAck(frame, Date.now())) this.start();
    this.#scheduleAck();
  }

  /**
   * The cast tab painted its new document for the first time. Chromium holds that paint until the
   * frame in flight (often the blank one from just after the commit) is acked, and that ack waits
   * for the viewer to draw and for the fps slot: seen to put 0.5 s between the site's first paint
   * and its frame reaching the viewer. So that one ack goes now; each frame is still acked once.
   */
  painted(session: string | undefined): void {
    // Its frame was captured after the commit, whatever the slack: the blank page's was not.
    if (session === this.#casting) this.expectChange(Math.max(Date.now() - CHANGE_SLACK_MS, this.#committedAt));
    const a = this.#owed[0];
    if (!a || a.session !== session || session !== this.#casting) return;
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    this.#ackNext();
  }

  /** A new document committed in the tab on `session`. */
  navigated(session: string | undefined): void {
    if (session === this.#casting) this.#committedAt = Date.now();
  }

  /**
   * The cast tab changed in a way the viewer must see (a first paint, a new viewport) at `since`
   * (epoch ms) at the earliest: a screencast frame captured since then must follow (WATCHDOG_MS).
   */
  expectChange(since = Date.now()): void {
    this.#watch.expectChange(since);
  }

  /** The page on `session` has loaded: if it is the one shown, the viewer is owed its pixels (frame-watch.ts). */
  loaded(session: string | undefined): void {
    if (session !== undefined && session === this.#casting) this.#watch.owePixels();
  }

  /** Stops and starts the cast tab's screencast at the quality it has (a start sends its pixels now). */
  #restart(session: string): void {
    if (session !== this.#casting) return;
    this.#castAs = null;
    this.start();
  }

  /**
   * Whether Chromium may have one more ack: the frames the viewer has not drawn (sent or waiting)
   * plus the most Chromium could then send stay within VIEWER_DEPTH (a slow viewer slows the stream).
   */
  #viewerHasRoom(): boolean {
    const undrawn = this.#frameNo - this.#drawn + (this.#waiting ? 1 : 0);
    return undrawn + IN_FLIGHT - (this.#owed.length - 1) <= VIEWER_DEPTH;
  }

  /** Chromium's oldest owed frame is acked at the pacer's slot; `force`: whether or not the viewer has room. */
  #scheduleAck(force = false): void {
    if (this.#ackTimer || this.#owed.length === 0) return;
    if (!force && !this.#viewerHasRoom()) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = null;
      this.#ackNext();
    }, this.#pacer.delayBeforeAck(Date.now(), this.#owed[0]!.at));
  }

  /** The oldest frame owed an ack gets it; one more owed (two in flight) waits for the next slot. */
  #ackNext(): void {
    const a = this.#owed.shift();
    if (!a || a.session !== this.#casting) return;
    this.#pacer.acked(Date.now(), a.at);
    this.#cdp.post('Page.screencastFrameAck', { sessionId: a.ackId }, a.session);
    this.#scheduleAck();
  }

  /**
   * A viewer attached: the last frame at once, then a live stream, and the tab's pixels now — a
   * screencast frame captured from now on, or else a snapshot (frame-watch.ts says why not at once).
   */
  attached(sink: RemoteSink): void {
    if (this.#lastFrame) this.#put(sink, Buffer.from(this.#lastFrame));
    this.start();
    this.#watch.owePixels();
  }

  /** Frames not sent yet are older than what comes next (another tab, a snapshot) or wanted by none. */
  #dropWaiting(): void {
    if (this.#sendTimer) clearTimeout(this.#sendTimer);
    this.#sendTimer = null;
    this.#waiting = null;
    this.#held.clear();
  }

  close(): void {
    this.#watch.clear();
    this.#dropWaiting();
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    if (this.#viewerTimer) clearTimeout(this.#viewerTimer);
  }
}
