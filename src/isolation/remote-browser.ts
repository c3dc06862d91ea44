// One user's remote browser: its tabs (popups become tabs, up to a cap), the screencast of the active
// tab with ack pacing, navigation checked before any document request leaves, dialogs, <select>
// lists, cursor, file choosers and downloads relayed to the viewer. Must not: accept DevTools
// commands from outside this capability, or hold more than one user (one process per user).
import { mkdirSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import type { IsolationControls } from '../config/schema/isolation.ts';
import type { CdpConnection, CdpParams } from './cdp-pipe.ts';
import { launchChromium, type ChromiumProcess, type LaunchOptions } from './chromium-process.ts';
import { CLIENT_ACK_TIMEOUT_MS, FramePacer } from './frame-pacer.ts';
import { parseHelperReport } from './helper-report.ts';
import type { CdpCommand } from './input-mapper.ts';
import { chooseOptionSource, HELPER_BINDING, HELPER_SOURCE, HELPER_WORLD, SELECTION_SOURCE } from './page-helper.ts';
import type { TimelineMark } from './timeline.ts';
import { Transfers } from './transfers.ts';
import type { AuditKind, IsolationReason, NavigationVerdict, RemoteCookie, TabInfo, ViewerEvent } from './types.ts';

export interface RemoteSink {
  frame(data: Buffer): void;
  event(e: ViewerEvent): void;
  bufferedAmount(): number;
}

export interface RemoteBrowserOptions {
  launch: LaunchOptions;
  controls: IsolationControls;
  maxTabs: number;
  maxFps: number;
  quality: number;
  /** The largest frame sent, in device pixels (limits.maxWidth × maxHeight); smaller pages are sent as they are. */
  maxFrame: { width: number; height: number };
  maxDownloadBytes: number;
  checkNavigation(url: URL): Promise<NavigationVerdict>;
  audit(kind: AuditKind, url?: string, detail?: string): void;
  /** The Gateway's per-session credential, given when its proxy answers 407. */
  proxyAuth?: { username: string; password: string } | null;
  /** Set before the first page loads. */
  cookies?: RemoteCookie[];
  /** A main-frame navigation isolated by a policy (the session tightens its controls). */
  onIsolation?(r: IsolationReason): void;
  /** A main-frame navigation no policy isolates any more: the session ends, the user goes there directly. */
  leave?(url: string): void;
  /** The first-frame timeline (timeline.ts): navigation sent and committed, screencast, frames. */
  mark?(m: TimelineMark): void;
}

interface Tab extends TabInfo { session: string; helperContext: number | null }

/** Above this many bytes waiting on the viewer's socket a frame is dropped, not queued. */
const MAX_BUFFERED = 1_000_000;
export const FRAME_TAG = 1;

export class RemoteBrowser {
  readonly #proc: ChromiumProcess;
  readonly #cdp: CdpConnection;
  #o: RemoteBrowserOptions;
  readonly #tabs = new Map<string, Tab>();
  #active: string | null = null;
  #sink: RemoteSink | null = null;
  #viewport = { width: 1280, height: 720, dpr: 1 };
  #pacer: FramePacer;
  #frameNo = 0;
  /** The newest frame the viewer has drawn (its ack). */
  #drawn = 0;
  #pendingAck: { session: string; ackId: number } | null = null;
  #ackTimer: NodeJS.Timeout | null = null;
  #viewerTimer: NodeJS.Timeout | null = null;
  #lastFrame: Buffer | null = null;
  /** The tab session whose screencast runs, and its JPEG quality. */
  #casting: string | null = null;
  #castQuality: number | null = null;
  #dialogTab: string | null = null;
  readonly transfers: Transfers;
  #closed = false;
  #adopted = false;
  /** A page other than about:blank has committed (the timeline's frames count from there). */
  #committed = false;
  #everAttached = false;
  /** Notices from before the first viewer. */
  #early: ViewerEvent[] = [];

  private constructor(proc: ChromiumProcess, o: RemoteBrowserOptions) {
    this.#proc = proc;
    this.#cdp = proc.cdp;
    this.#o = o;
    this.#pacer = new FramePacer(o.quality, o.maxFps);
    this.transfers = new Transfers(this.#cdp, join(proc.profileDir, 'transfers'), o);
  }

  /**
   * A browser ready for a user but holding nobody's data: started, its first tab attached and set up
   * (screencast-ready, navigations intercepted), under options that allow nothing until `adopt`.
   * What the pool keeps warm, so a handover costs no DevTools round trips beyond the user's own.
   */
  static async prepare(launch: LaunchOptions, start: (o: LaunchOptions) => Promise<ChromiumProcess> = launchChromium): Promise<RemoteBrowser> {
    const proc = await start(launch);
    const rb = new RemoteBrowser(proc, unassigned(launch));
    try {
      await rb.#init();
    } catch (err) {
      await proc.close();
      throw err;
    }
    return rb;
  }

  /** Hands a prepared browser to its session: its controls, policy, audit, cookies, pacing. Once. */
  async adopt(o: RemoteBrowserOptions): Promise<void> {
    if (this.#adopted) throw new Error('this remote browser already serves a session');
    this.#adopted = true;
    this.#o = o;
    this.transfers.adopt(o);
    this.#pacer = new FramePacer(o.quality, o.maxFps);
    await Promise.all([
      this.transfers.applyDownloadMode(),
      o.cookies?.length ? this.#cdp.send('Storage.setCookies', { cookies: o.cookies }) : null,
    ]);
  }

  get exited(): Promise<void> { return this.#proc.exited; }
  get pid(): number { return this.#proc.pid; }
  get tabCount(): number { return this.#tabs.size; }
  get activeUrl(): string | null { return this.#active ? this.#tabs.get(this.#active)?.url ?? null : null; }

  async #init(): Promise<void> {
    const c = this.#cdp;
    const dir = join(this.#proc.profileDir, 'transfers');
    mkdirSync(dir, { mode: 0o700 });
    if (this.#o.launch.runAs) chownSync(dir, this.#o.launch.runAs.uid, this.#o.launch.runAs.gid);
    c.on('Target.attachedToTarget', (p) => void this.#attached(p));
    c.on('Target.detachedFromTarget', (p) => this.#detached(String(p.targetId ?? '')));
    c.on('Target.targetInfoChanged', (p) => this.#infoChanged(p.targetInfo as CdpParams));
    c.on('Page.screencastFrame', (p, sid) => this.#onFrame(p, sid));
    c.on('Page.frameNavigated', (p, sid) => this.#onNavigated(p, sid));
    c.on('Page.javascriptDialogOpening', (p, sid) => this.#onDialog(p, sid));
    // Target.targetInfoChanged carries a page's title only until its first commit (the address
    // then): the document's <title> is read once the page has loaded.
    c.on('Page.domContentEventFired', (_p, sid) => void this.#refreshTitle(sid));
    c.on('Page.loadEventFired', (_p, sid) => {
      void this.#refreshTitle(sid);
      if (sid && sid === this.#casting) void this.#snapshot();
    });
    c.on('Runtime.executionContextCreated', (p, sid) => this.#onContext(p, sid));
    c.on('Runtime.bindingCalled', (p, sid) => this.#onBinding(p, sid));
    c.on('Fetch.requestPaused', (p, sid) => void this.#onRequest(p, sid));
    c.on('Fetch.authRequired', (p, sid) => this.#onAuth(p, sid));
    c.on('Inspector.targetCrashed', (_p, sid) => { if (sid && sid === this.#tab()?.session) this.#emit({ t: 'crashed', scope: 'tab' }); });
    c.on('Page.fileChooserOpened', (p, sid) => this.transfers.chooserOpened(p, sid, (e) => this.#emit(e)));
    await this.transfers.init((e) => this.#emit(e), (url) => this.newTab(url));
    await c.send('Target.setDiscoverTargets', { discover: true });
    await c.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    // The initial about:blank page is attached by setAutoAttach; wait until it is a tab.
    for (let i = 0; i < 250 && this.#active === null; i++) await new Promise((r) => setTimeout(r, 20));
    if (this.#active === null) throw new Error('the remote browser opened no tab');
  }

  #tab(): Tab | undefined {
    return this.#active ? this.#tabs.get(this.#active) : undefined;
  }

  #emit(e: ViewerEvent): void {
    if (this.#sink) return this.#sink.event(e);
    // Before the first viewer (the session started with the viewer page): a blocked address's
    // notice waits for it, a few at most.
    if (!this.#everAttached && e.t === 'notice' && this.#early.length < 10) this.#early.push(e);
  }

  #emitState(): void {
    const tabs = [...this.#tabs.values()].map(({ id, title, url }) => {
      const file = this.transfers.shownAddress(url);
      return file === null ? { id, title, url } : { id, title: file, url: file };
    });
    this.#emit({ t: 'state', tabs, active: this.#active });
  }

  async #attached(p: CdpParams): Promise<void> {
    const info = p.targetInfo as { targetId: string; type: string; url: string; title: string };
    const session = String(p.sessionId);
    if (info.type !== 'page') {
      this.#cdp.post('Runtime.runIfWaitingForDebugger', {}, session);
      return;
    }
    if (this.#tabs.size >= this.#o.maxTabs) {
      // A page opening popups without end: each one beyond the cap is closed at once. It is resumed
      // first: its opener waits in window.open() until the new page runs, and would hang otherwise.
      this.#cdp.post('Runtime.runIfWaitingForDebugger', {}, session);
      this.#cdp.post('Target.closeTarget', { targetId: info.targetId });
      this.#emit({ t: 'notice', text: `A new tab was blocked: at most ${this.#o.maxTabs} tabs are open at once.` });
      return;
    }
    const tab: Tab = { id: info.targetId, title: info.title, url: info.url, session, helperContext: null };
    this.#tabs.set(tab.id, tab);
    const send = (m: string, params: CdpParams = {}) => this.#cdp.send(m, params, session);
    try {
      await Promise.all([
        send('Page.enable'), send('Runtime.enable'),
        send('Page.addScriptToEvaluateOnNewDocument', { source: HELPER_SOURCE, worldName: HELPER_WORLD, runImmediately: true }),
        send('Runtime.addBinding', { name: HELPER_BINDING, executionContextName: HELPER_WORLD }),
        send('Page.setInterceptFileChooserDialog', { enabled: true }),
        send('Fetch.enable', {
          patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }], handleAuthRequests: Boolean(this.#o.launch.proxy),
        }),
        this.#applyViewport(session),
      ]);
      await send('Runtime.runIfWaitingForDebugger');
    } catch {
      return; // closed while starting
    }
    // A popup takes the screen, like a new tab would in a local browser.
    this.#activate(tab.id);
  }

  #detached(targetId: string): void {
    if (!this.#tabs.delete(targetId)) return;
    if (this.#active === targetId) {
      this.#active = null;
      this.#casting = null;
      const next = [...this.#tabs.keys()].at(-1);
      if (next) this.#activate(next);
      else void this.newTab('about:blank');
    }
    this.#emitState();
  }

  #infoChanged(info: CdpParams): void {
    const tab = this.#tabs.get(String(info.targetId));
    if (!tab) return;
    tab.url = String(info.url ?? tab.url).slice(0, 8192);
    tab.title = String(info.title ?? '').slice(0, 300);
    this.#emitState();
  }

  #activate(id: string): void {
    if (!this.#tabs.has(id)) return;
    const previous = this.#tab();
    this.#active = id;
    if (previous && previous.id !== id && this.#casting === previous.session) {
      this.#cdp.post('Page.stopScreencast', {}, previous.session);
      this.#casting = null;
    }
    this.#cdp.post('Target.activateTarget', { targetId: id });
    this.#cdp.post('Page.bringToFront', {}, this.#tabs.get(id)!.session);
    this.#emitState();
    if (this.#sink) this.#startCast();
  }

  #startCast(): void {
    const tab = this.#tab();
    if (!tab) return;
    this.#o.mark?.('cast');
    const s = tab.session;
    const quality = this.#pacer.level.quality;
    // Already casting this tab at this quality: nothing to do (a resize needs no restart, the
    // capture follows the page's size up to the frame limit).
    if (this.#casting === s && this.#castQuality === quality) return;
    // Chromium refuses a second start while a screencast runs ("Screencast is already active"), so
    // a new quality is a stop and a start. A start always sends the tab's current pixels first.
    if (this.#casting !== null) this.#cdp.post('Page.stopScreencast', {}, this.#casting);
    this.#casting = s;
    this.#castQuality = quality;
    // One frame in flight: Chromium sends the next only after its ack (the fps cap), and keeps the
    // newest paint meanwhile (sendLastFrame), sent at the ack — so the last paint before a page goes
    // still always reaches the viewer. (With the default three in flight, a paint made while three
    // waited was dropped, not queued: a static page then never showed its final state.)
    this.#cdp.post('Page.startScreencast', {
      format: 'jpeg', quality, everyNthFrame: 1, maxFramesInFlight: 1, sendLastFrame: true,
      maxWidth: this.#o.maxFrame.width, maxHeight: this.#o.maxFrame.height,
    }, s);
  }

  #stopCast(): void {
    const s = this.#casting;
    this.#casting = null;
    this.#castQuality = null;
    if (s) this.#cdp.post('Page.stopScreencast', {}, s);
  }

  #onFrame(p: CdpParams, sid: string | undefined): void {
    const ackId = Number(p.sessionId);
    if (!sid || sid !== this.#casting) {
      if (sid) this.#cdp.post('Page.screencastFrameAck', { sessionId: ackId }, sid);
      return;
    }
    const frame = this.#frame(Buffer.from(String(p.data), 'base64'));
    this.#lastFrame = frame;
    // Every frame is acked exactly once: an ack never sent keeps a frame "in flight" for good, and
    // Chromium sends nothing more once its limit is reached (the canvas froze on a stale picture).
    // Only a frame from before a restart can still be waiting here; its ack is of no use, but harmless.
    const waiting = this.#pendingAck;
    if (waiting) this.#cdp.post('Page.screencastFrameAck', { sessionId: waiting.ackId }, waiting.session);
    this.#pendingAck = { session: sid, ackId };
    if (this.#committed) this.#o.mark?.('frame');
    const sink = this.#sink;
    if (!sink || sink.bufferedAmount() > MAX_BUFFERED) return this.#scheduleAck();
    sink.frame(frame);
    if (this.#committed) this.#o.mark?.('sent');
    this.#pacer.sent(this.#frameNo, Date.now());
    // The viewer has drawn the frame before this one: Chromium may paint and encode the next while
    // the viewer decodes this one (two frames deep at most, never a queue).
    if (this.#drawn >= this.#frameNo - 1) this.#scheduleAck();
    if (this.#viewerTimer) clearTimeout(this.#viewerTimer);
    this.#viewerTimer = setTimeout(() => {
      this.#viewerTimer = null;
      if (this.#pacer.viewerTimeout(Date.now())) this.#startCast();
      this.#scheduleAck();
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
  async #snapshot(): Promise<void> {
    const tab = this.#tab();
    if (!tab || !this.#sink) return;
    const since = this.#frameNo;
    const r = await this.#cdp.send('Page.captureScreenshot', { format: 'jpeg', quality: this.#pacer.level.quality, optimizeForSpeed: true }, tab.session)
      .catch(() => null) as { data?: string } | null;
    const sink = this.#sink;
    // A newer screencast frame went out meanwhile, or another tab took the screen: this one is stale.
    if (!r?.data || !sink || this.#frameNo !== since || this.#tab() !== tab) return;
    const frame = this.#frame(Buffer.from(r.data, 'base64'));
    this.#lastFrame = frame;
    if (sink.bufferedAmount() > MAX_BUFFERED) return;
    sink.frame(frame);
    if (this.#committed) this.#o.mark?.('sent');
    this.#pacer.sent(this.#frameNo, Date.now());
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
    if (this.#pacer.viewerAck(frame, Date.now())) this.#startCast();
    if (frame >= this.#frameNo - 1) this.#scheduleAck();
  }

  #scheduleAck(): void {
    if (this.#ackTimer || !this.#pendingAck) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = null;
      const a = this.#pendingAck;
      this.#pendingAck = null;
      if (!a || a.session !== this.#casting) return;
      this.#pacer.acked(Date.now());
      this.#cdp.post('Page.screencastFrameAck', { sessionId: a.ackId }, a.session);
    }, this.#pacer.delayBeforeAck(Date.now()));
  }

  /** A viewer (re)connects: it gets the last frame at once, then a live stream. */
  attach(sink: RemoteSink): void {
    this.#sink = sink;
    this.#everAttached = true;
    this.#emitState();
    for (const e of this.#early.splice(0)) sink.event(e);
    if (this.#lastFrame) {
      const f = Buffer.from(this.#lastFrame);
      sink.frame(f);
      if (this.#committed) this.#o.mark?.('sent');
      this.#pacer.sent(f.readUInt32BE(1), Date.now());
    }
    this.#startCast();
    void this.#snapshot();
  }

  /** Screencast with no viewer yet (it is loading): the latest frame is kept for it. */
  castEarly(): void {
    if (!this.#sink) this.#startCast();
  }

  detach(sink: RemoteSink): void {
    if (this.#sink !== sink) return;
    this.#sink = null;
    this.#stopCast();
  }

  get pacerLevel(): { quality: number; fps: number } { return this.#pacer.level; }

  async #applyViewport(session: string): Promise<void> {
    const { width, height, dpr } = this.#viewport;
    await this.#cdp.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: dpr, mobile: false }, session);
  }

  async resize(width: number, height: number, dpr: number): Promise<void> {
    const v = this.#viewport;
    // A viewer sends its size on every window resize event, mostly unchanged: nothing to do then.
    if (v.width === width && v.height === height && v.dpr === dpr) return;
    this.#viewport = { width, height, dpr };
    // The running screencast follows the new size by itself (and sends the resized page).
    await Promise.all([...this.#tabs.values()].map((t) => this.#applyViewport(t.session).catch(() => {})));
  }

  get viewport(): { width: number; height: number } { return this.#viewport; }

  async input(commands: CdpCommand[]): Promise<void> {
    const tab = this.#tab();
    if (!tab) return;
    for (const c of commands) await this.#cdp.send(c.method, c.params, tab.session).catch(() => {});
  }

  async navigate(url: string): Promise<void> {
    const tab = this.#tab();
    if (!tab) return;
    this.#o.mark?.('navigate');
    await this.#cdp.send('Page.navigate', { url }, tab.session).catch(() => {});
  }

  async history(step: -1 | 1): Promise<void> {
    const tab = this.#tab();
    if (!tab) return;
    const h = await this.#cdp.send('Page.getNavigationHistory', {}, tab.session) as { currentIndex: number; entries: { id: number }[] };
    const entry = h.entries[h.currentIndex + step];
    if (entry) await this.#cdp.send('Page.navigateToHistoryEntry', { entryId: entry.id }, tab.session);
  }

  reload(): void {
    const tab = this.#tab();
    if (tab) this.#cdp.post('Page.reload', {}, tab.session);
  }

  async newTab(url: string): Promise<void> {
    if (this.#tabs.size >= this.#o.maxTabs) return this.#emit({ t: 'notice', text: `At most ${this.#o.maxTabs} tabs are open at once.` });
    await this.#cdp.send('Target.createTarget', { url }).catch(() => {});
  }

  switchTab(id: string): void { this.#activate(id); }

  closeTab(id: string): void {
    if (this.#tabs.has(id)) this.#cdp.post('Target.closeTarget', { targetId: id });
  }

  /** The selection in the active tab (copy: allow), read in the helper world. */
  async selection(): Promise<string> {
    const tab = this.#tab();
    if (!tab) return '';
    const r = await this.#cdp.send('Runtime.evaluate', {
      expression: SELECTION_SOURCE, returnByValue: true, ...(tab.helperContext ? { contextId: tab.helperContext } : {}),
    }, tab.session).catch(() => ({})) as { result?: { value?: unknown } };
    return typeof r.result?.value === 'string' ? r.result.value : '';
  }

  async choose(i: number): Promise<void> {
    const tab = this.#tab();
    if (!tab?.helperContext) return;
    this.#cdp.post('Runtime.evaluate', { expression: chooseOptionSource(i), contextId: tab.helperContext }, tab.session);
  }

  answerDialog(ok: boolean, text?: string): void {
    const tab = this.#dialogTab ? this.#tabs.get(this.#dialogTab) : undefined;
    this.#dialogTab = null;
    if (tab) this.#cdp.post('Page.handleJavaScriptDialog', { accept: ok, ...(text !== undefined ? { promptText: text } : {}) }, tab.session);
  }

  async printToPdf(): Promise<Buffer | null> {
    const tab = this.#tab();
    if (!tab) return null;
    const r = await this.#cdp.send('Page.printToPDF', {}, tab.session).catch(() => null) as { data?: string } | null;
    return r?.data ? Buffer.from(r.data, 'base64') : null;
  }

  #tabBySession(sid: string | undefined): Tab | undefined {
    for (const t of this.#tabs.values()) if (t.session === sid) return t;
    return undefined;
  }

  #onNavigated(p: CdpParams, sid: string | undefined): void {
    const frame = p.frame as { parentId?: string; url: string };
    const tab = this.#tabBySession(sid);
    if (!tab || frame.parentId) return;
    tab.url = frame.url.slice(0, 8192);
    tab.helperContext = null;
    if (frame.url !== 'about:blank') {
      this.#committed = true;
      this.#o.mark?.('commit');
      this.#o.audit('navigate', tab.url);
    }
    this.#emitState();
  }

  async #refreshTitle(sid: string | undefined): Promise<void> {
    const tab = this.#tabBySession(sid);
    if (!tab) return;
    const r = await this.#cdp.send('Target.getTargetInfo', { targetId: tab.id }).catch(() => null) as { targetInfo?: { title?: unknown } } | null;
    const title = typeof r?.targetInfo?.title === 'string' ? r.targetInfo.title.slice(0, 300) : null;
    if (title === null || title === tab.title || !this.#tabs.has(tab.id)) return;
    tab.title = title;
    this.#emitState();
  }

  #onDialog(p: CdpParams, sid: string | undefined): void {
    const tab = this.#tabBySession(sid);
    if (!tab) return;
    const kind = String(p.type);
    // beforeunload would otherwise hold the tab; nothing is lost by leaving a remote page.
    if (kind === 'beforeunload' || !this.#sink) return this.#cdp.post('Page.handleJavaScriptDialog', { accept: kind === 'beforeunload' }, tab.session);
    this.#dialogTab = tab.id;
    this.#emit({ t: 'dialog', kind, message: String(p.message ?? '').slice(0, 4000), prompt: String(p.defaultPrompt ?? '').slice(0, 4000) });
  }

  #onContext(p: CdpParams, sid: string | undefined): void {
    const ctx = p.context as { id: number; name: string; auxData?: { frameId?: string } };
    const tab = this.#tabBySession(sid);
    if (tab && ctx.name === HELPER_WORLD && ctx.auxData?.frameId === tab.id) tab.helperContext = ctx.id;
  }

  #onBinding(p: CdpParams, sid: string | undefined): void {
    if (p.name !== HELPER_BINDING || sid !== this.#tab()?.session) return;
    const r = parseHelperReport(String(p.payload ?? ''));
    if (r?.k === 'cursor') this.#emit({ t: 'cursor', v: r.v });
    else if (r?.k === 'select') this.#emit({ t: 'select', options: r.options, selected: r.selected });
  }

  /** Every document request — address bar, link, redirect, popup, frame — is checked before it leaves. */
  async #onRequest(p: CdpParams, sid: string | undefined): Promise<void> {
    const requestId = String(p.requestId);
    const raw = String((p.request as { url?: string }).url ?? '');
    // A downloaded file viewed here ("remote-view"): answered from the session's own directory.
    const viewed = this.transfers.viewResponse(raw);
    if (viewed) {
      return this.#cdp.post('Fetch.fulfillRequest', {
        requestId, responseCode: viewed.status, responseHeaders: viewed.headers, body: viewed.body.toString('base64'),
      }, sid);
    }
    let verdict: NavigationVerdict = { allow: false, reason: 'not a web address' };
    try {
      const url = new URL(raw);
      if (url.protocol === 'http:' || url.protocol === 'https:') verdict = await this.#o.checkNavigation(url);
    } catch {
      verdict = { allow: false, reason: 'the navigation check failed' };
    }
    const main = p.frameId !== undefined && p.frameId === this.#tabBySession(sid)?.id;
    if (main && verdict.allow && verdict.direct && this.#o.leave) {
      this.#cdp.post('Fetch.failRequest', { requestId, errorReason: 'BlockedByClient' }, sid);
      return this.#o.leave(raw);
    }
    if (main && verdict.isolation) this.#o.onIsolation?.(verdict.isolation);
    if (verdict.allow) return this.#cdp.post('Fetch.continueRequest', { requestId }, sid);
    this.#cdp.post('Fetch.failRequest', { requestId, errorReason: 'BlockedByClient' }, sid);
    this.#o.audit('navigation-blocked', raw.slice(0, 2048), verdict.reason);
    this.#emit({ t: 'notice', text: `Blocked: ${raw.slice(0, 200)} (${verdict.reason ?? 'policy'})` });
  }

  /** The Gateway's 407: answered with this session's credential; any other challenge is cancelled. */
  #onAuth(p: CdpParams, sid: string | undefined): void {
    const requestId = String(p.requestId);
    const proxy = (p.authChallenge as { source?: string } | undefined)?.source === 'Proxy';
    const creds = this.#o.proxyAuth;
    const authChallengeResponse = proxy && creds
      ? { response: 'ProvideCredentials', username: creds.username, password: creds.password }
      : { response: 'CancelAuth' };
    this.#cdp.post('Fetch.continueWithAuth', { requestId, authChallengeResponse }, sid);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    if (this.#viewerTimer) clearTimeout(this.#viewerTimer);
    this.#sink = null;
    await this.#proc.close();
  }
}

/** A prepared browser's options until a session adopts it: nothing allowed, nothing recorded. */
function unassigned(launch: LaunchOptions): RemoteBrowserOptions {
  return {
    launch, maxTabs: 1, maxFps: 1, quality: 10, maxFrame: { width: launch.width, height: launch.height }, maxDownloadBytes: 0, audit: () => {},
    controls: { copy: 'deny', paste: 'deny', download: 'deny', upload: 'deny', keyboard: 'deny', print: 'deny' },
    checkNavigation: async () => ({ allow: false, reason: 'this browser does not serve a session yet' }),
  };
}
