// One user's remote browser: dialogs, <select> lists, cursor, file choosers and downloads relayed to
// the viewer, each new page set up before its document loads; every document request checked before
// it leaves (request-gate.ts), its tabs tabs.ts's, the screencast of the active tab screencast.ts's. Must not: accept
// DevTools commands from outside this capability, or hold more than one user (one process per user).
import { mkdirSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import type { IsolationControls } from '../config/schema/isolation.ts';
import type { CdpConnection, CdpParams } from './cdp-pipe.ts';
import { launchChromium, type ChromiumProcess, type LaunchOptions } from './chromium-process.ts';
import { parseHelperReport } from './helper-report.ts';
import type { CdpCommand } from './input-mapper.ts';
import { chooseOptionSource, HELPER_BINDING, HELPER_SOURCE, HELPER_WORLD, SELECTION_SOURCE } from './page-helper.ts';
import { Screencast, type RemoteSink } from './screencast.ts';
import { RequestGate } from './request-gate.ts';
import { Tabs } from './tabs.ts';
import type { TimelineMark } from './timeline.ts';
import { Transfers } from './transfers.ts';
import type { AuditKind, IsolationReason, NavigationVerdict, RemoteCookie, ViewerEvent } from './types.ts';

export { FRAME_TAG, type RemoteSink } from './screencast.ts';

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

/** A session's screencast settings (config `limits`): what a pooled browser's screencast is armed with. */
export interface CastSettings { quality: number; maxFrame: { width: number; height: number } }

export class RemoteBrowser {
  readonly #proc: ChromiumProcess;
  readonly #cdp: CdpConnection;
  #o: RemoteBrowserOptions;
  readonly #tabs: Tabs;
  readonly #cast: Screencast;
  #sink: RemoteSink | null = null;
  #viewport = { width: 1280, height: 720, dpr: 1 };
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
    this.#cast = new Screencast(this.#cdp, {
      session: () => this.#tabs.active()?.session ?? null,
      sink: () => this.#sink,
      maxFrame: () => this.#o.maxFrame,
      mark: (m) => this.#o.mark?.(m),
      committed: () => this.#committed,
    }, o.quality, o.maxFps);
    this.#tabs = new Tabs(this.#cdp, {
      maxTabs: () => this.#o.maxTabs,
      // Its title too: its document may have loaded before its Page events were on.
      prepare: (session) => this.#prepareTab(session).then(() => void this.#refreshTitle(session)),
      leaving: (session) => this.#cast.leave(session),
      lost: () => this.#cast.lost(),
      activated: () => { if (this.#sink) this.#cast.start(); },
      changed: () => this.#emitState(),
      notice: (text) => this.#emit({ t: 'notice', text }),
    });
    this.transfers = new Transfers(this.#cdp, join(proc.profileDir, 'transfers'), o);
  }


  /**
   * A browser ready for a user but holding nobody's data: started, its first tab attached and set up
   * (screencast-ready, navigations intercepted), under options that allow nothing until `adopt`.
   * What the pool keeps warm, so a handover costs no DevTools round trips beyond the user's own.
   * `cast`: its screencast runs already (of its blank tab, frames kept for no one) at the settings its
   * session will use, so the session's start does not restart it, and its first capture is not made
   * during the user's navigation (a capture and an encode, on the first frame's path).
   */
  static async prepare(
    launch: LaunchOptions, start: (o: LaunchOptions) => Promise<ChromiumProcess> = launchChromium, cast: CastSettings | null = null,
  ): Promise<RemoteBrowser> {
    const proc = await start(launch);
    const rb = new RemoteBrowser(proc, unassigned(launch, cast));
    try {
      await rb.#init();
    } catch (err) {
      await proc.close();
      throw err;
    }
    if (cast) rb.#cast.start();
    return rb;
  }

  /** Hands a prepared browser to its session: its controls, policy, audit, cookies, pacing. Once. */
  async adopt(o: RemoteBrowserOptions): Promise<void> {
    if (this.#adopted) throw new Error('this remote browser already serves a session');
    this.#adopted = true;
    this.#o = o;
    this.transfers.adopt(o);
    this.#cast.repace(o.quality, o.maxFps);
    await Promise.all([
      this.transfers.applyDownloadMode(),
      o.cookies?.length ? this.#cdp.send('Storage.setCookies', { cookies: o.cookies }) : null,
    ]);
  }

  get exited(): Promise<void> { return this.#proc.exited; }
  get pid(): number { return this.#proc.pid; }
  get tabCount(): number { return this.#tabs.size; }
  get activeUrl(): string | null { return this.#tabs.active()?.url ?? null; }
  async #init(): Promise<void> {
    const c = this.#cdp;
    const dir = join(this.#proc.profileDir, 'transfers');
    mkdirSync(dir, { mode: 0o700 });
    if (this.#o.launch.runAs) chownSync(dir, this.#o.launch.runAs.uid, this.#o.launch.runAs.gid);
    c.on('Target.targetCreated', (p) => this.#tabs.created(p.targetInfo as CdpParams));
    // Never an unhandled rejection: it would take the whole server down, every user's session with it.
    c.on('Target.attachedToTarget', (p) => void this.#tabs.attached(p).catch(() => this.#emitState()));
    c.on('Target.detachedFromTarget', (p) => this.#tabs.detached(String(p.targetId ?? '')));
    c.on('Target.targetDestroyed', (p) => this.#tabs.detached(String(p.targetId ?? '')));
    c.on('Target.targetInfoChanged', (p) => this.#tabs.infoChanged(p.targetInfo as CdpParams));
    c.on('Page.screencastFrame', (p, sid) => this.#cast.onFrame(p, sid));
    c.on('Page.frameNavigated', (p, sid) => this.#onNavigated(p, sid));
    c.on('Page.lifecycleEvent', (p, sid) => {
      if (p.name !== 'firstPaint' || !this.#cast.isCasting(sid)) return;
      if (this.#committed) this.#o.mark?.('paint');
      this.#cast.painted(sid);
    });
    c.on('Page.javascriptDialogOpening', (p, sid) => this.#onDialog(p, sid));
    // Target.targetInfoChanged carries a page's title only until its first commit (the address
    // then): the document's <title> is read once the page has loaded.
    c.on('Page.domContentEventFired', (_p, sid) => void this.#refreshTitle(sid));
    c.on('Page.loadEventFired', (_p, sid) => {
      void this.#refreshTitle(sid);
      this.#cast.loaded(sid);
    });
    c.on('Runtime.executionContextCreated', (p, sid) => this.#onContext(p, sid));
    c.on('Runtime.bindingCalled', (p, sid) => this.#onBinding(p, sid));
    const gate = new RequestGate(c, {
      options: () => this.#o, tabs: this.#tabs, transfers: this.transfers, notice: (text) => this.#emit({ t: 'notice', text }),
    });
    c.on('Inspector.targetCrashed', (_p, sid) => { if (sid && sid === this.#tabs.active()?.session) this.#emit({ t: 'crashed', scope: 'tab' }); });
    c.on('Page.fileChooserOpened', (p, sid) => this.transfers.chooserOpened(p, sid, (e) => this.#emit(e)));
    await this.transfers.init((e) => this.#emit(e), (url) => this.#tabs.open(url));
    // Every document request of every page is checked (request-gate.ts), from the first one on.
    await gate.enable(Boolean(this.#o.launch.proxy));
    // Pages are attached as they appear (tabs.ts says why not auto-attached), the first one too.
    await c.send('Target.setDiscoverTargets', { discover: true });
    for (let i = 0; i < 250 && this.#tabs.activeId === null; i++) await new Promise((r) => setTimeout(r, 20));
    if (this.#tabs.activeId === null) throw new Error('the remote browser opened no tab');
  }

  #emit(e: ViewerEvent): void {
    if (this.#sink) return this.#sink.event(e);
    // Before the first viewer (the session started with the viewer page): a blocked address's
    // notice waits for it, a few at most.
    if (!this.#everAttached && e.t === 'notice' && this.#early.length < 10) this.#early.push(e);
  }

  #emitState(): void {
    const tabs = this.#tabs.all().map(({ id, title, url }) => {
      const file = this.transfers.shownAddress(url);
      return file === null ? { id, title, url } : { id, title: file, url: file };
    });
    this.#emit({ t: 'state', tabs, active: this.#tabs.activeId });
  }

  /**
   * A new page's session, set up before its document loads: helpers, dialogs, file chooser, viewport.
   * Every command is sent before this returns (tabs.ts lets the document's request go on then).
   */
  #prepareTab(session: string): Promise<unknown> {
    const send = (m: string, params: CdpParams = {}) => this.#cdp.send(m, params, session);
    return Promise.all([
      send('Page.enable'), send('Runtime.enable'), send('Page.setLifecycleEventsEnabled', { enabled: true }),
      send('Page.addScriptToEvaluateOnNewDocument', { source: HELPER_SOURCE, worldName: HELPER_WORLD, runImmediately: true }),
      send('Runtime.addBinding', { name: HELPER_BINDING, executionContextName: HELPER_WORLD }),
      send('Page.setInterceptFileChooserDialog', { enabled: true }),
      this.#applyViewport(session),
    ]);
  }

  /** The viewer drew `frame` (the screencast paces Chromium by it). */
  viewerAck(frame: number): void { this.#cast.viewerAck(frame); }

  /** A viewer (re)connects: it gets the last frame at once, then a live stream. */
  attach(sink: RemoteSink): void {
    this.#sink = sink;
    this.#everAttached = true;
    this.#emitState();
    for (const e of this.#early.splice(0)) sink.event(e);
    this.#cast.attached(sink);
  }

  /** Screencast with no viewer yet (it is loading): the latest frame is kept for it. */
  castEarly(): void {
    if (!this.#sink) this.#cast.start();
  }

  detach(sink: RemoteSink): void {
    if (this.#sink !== sink) return;
    this.#sink = null;
    this.#cast.stop();
  }

  get pacerLevel(): { quality: number; fps: number } { return this.#cast.level; }

  async #applyViewport(session: string): Promise<void> {
    const { width, height, dpr } = this.#viewport;
    await this.#cdp.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: dpr, mobile: false }, session);
  }

  async resize(width: number, height: number, dpr: number): Promise<void> {
    const v = this.#viewport;
    // A viewer sends its size on every window resize event, mostly unchanged: nothing to do then.
    if (v.width === width && v.height === height && v.dpr === dpr) return;
    this.#viewport = { width, height, dpr };
    // The running screencast follows the new size by itself (and sends the resized page): the
    // viewer cleared its canvas for the new size, so that frame must come.
    this.#cast.expectChange();
    await Promise.all(this.#tabs.all().map((t) => this.#applyViewport(t.session).catch(() => {})));
  }

  get viewport(): { width: number; height: number } { return this.#viewport; }

  async input(commands: CdpCommand[]): Promise<void> {
    const tab = this.#tabs.active();
    if (!tab) return;
    for (const c of commands) await this.#cdp.send(c.method, c.params, tab.session).catch(() => {});
  }

  async navigate(url: string): Promise<void> {
    const tab = this.#tabs.active();
    if (!tab) return;
    this.#o.mark?.('navigate');
    await this.#cdp.send('Page.navigate', { url }, tab.session).catch(() => {});
  }

  async history(step: -1 | 1): Promise<void> {
    const tab = this.#tabs.active();
    if (!tab) return;
    const h = await this.#cdp.send('Page.getNavigationHistory', {}, tab.session) as { currentIndex: number; entries: { id: number }[] };
    const entry = h.entries[h.currentIndex + step];
    if (entry) await this.#cdp.send('Page.navigateToHistoryEntry', { entryId: entry.id }, tab.session);
  }

  reload(): void {
    const tab = this.#tabs.active();
    if (tab) this.#cdp.post('Page.reload', {}, tab.session);
  }

  async newTab(url: string): Promise<void> { await this.#tabs.open(url); }

  switchTab(id: string): void { this.#tabs.activate(id); }

  closeTab(id: string): void { this.#tabs.close(id); }

  /** The selection in the active tab (copy: allow), read in the helper world. */
  async selection(): Promise<string> {
    const tab = this.#tabs.active();
    if (!tab) return '';
    const r = await this.#cdp.send('Runtime.evaluate', {
      expression: SELECTION_SOURCE, returnByValue: true, ...(tab.helperContext ? { contextId: tab.helperContext } : {}),
    }, tab.session).catch(() => ({})) as { result?: { value?: unknown } };
    return typeof r.result?.value === 'string' ? r.result.value : '';
  }

  async choose(i: number): Promise<void> {
    const tab = this.#tabs.active();
    if (!tab?.helperContext) return;
    this.#cdp.post('Runtime.evaluate', { expression: chooseOptionSource(i), contextId: tab.helperContext }, tab.session);
  }

  answerDialog(ok: boolean, text?: string): void {
    const tab = this.#dialogTab ? this.#tabs.get(this.#dialogTab) : undefined;
    this.#dialogTab = null;
    if (tab) this.#cdp.post('Page.handleJavaScriptDialog', { accept: ok, ...(text !== undefined ? { promptText: text } : {}) }, tab.session);
  }

  async printToPdf(): Promise<Buffer | null> {
    const tab = this.#tabs.active();
    if (!tab) return null;
    const r = await this.#cdp.send('Page.printToPDF', {}, tab.session).catch(() => null) as { data?: string } | null;
    return r?.data ? Buffer.from(r.data, 'base64') : null;
  }


  #onNavigated(p: CdpParams, sid: string | undefined): void {
    const frame = p.frame as { parentId?: string; url: string };
    const tab = this.#tabs.bySession(sid);
    if (!tab || frame.parentId) return;
    tab.url = frame.url.slice(0, 8192);
    tab.helperContext = null;
    this.#cast.navigated(sid);
    if (frame.url !== 'about:blank') {
      this.#committed = true;
      this.#o.mark?.('commit');
      this.#o.audit('navigate', tab.url);
    }
    this.#emitState();
  }

  async #refreshTitle(sid: string | undefined): Promise<void> {
    const tab = this.#tabs.bySession(sid);
    if (!tab) return;
    const r = await this.#cdp.send('Target.getTargetInfo', { targetId: tab.id }).catch(() => null) as { targetInfo?: { title?: unknown } } | null;
    const title = typeof r?.targetInfo?.title === 'string' ? r.targetInfo.title.slice(0, 300) : null;
    if (title === null || title === tab.title || !this.#tabs.has(tab.id)) return;
    tab.title = title;
    this.#emitState();
  }

  #onDialog(p: CdpParams, sid: string | undefined): void {
    const tab = this.#tabs.bySession(sid);
    if (!tab) return;
    const kind = String(p.type);
    // beforeunload would otherwise hold the tab; nothing is lost by leaving a remote page.
    if (kind === 'beforeunload' || !this.#sink) return this.#cdp.post('Page.handleJavaScriptDialog', { accept: kind === 'beforeunload' }, tab.session);
    this.#dialogTab = tab.id;
    this.#emit({ t: 'dialog', kind, message: String(p.message ?? '').slice(0, 4000), prompt: String(p.defaultPrompt ?? '').slice(0, 4000) });
  }

  #onContext(p: CdpParams, sid: string | undefined): void {
    const ctx = p.context as { id: number; name: string; auxData?: { frameId?: string } };
    const tab = this.#tabs.bySession(sid);
    if (tab && ctx.name === HELPER_WORLD && ctx.auxData?.frameId === tab.id) tab.helperContext = ctx.id;
  }

  #onBinding(p: CdpParams, sid: string | undefined): void {
    if (p.name !== HELPER_BINDING || sid !== this.#tabs.active()?.session) return;
    const r = parseHelperReport(String(p.payload ?? ''));
    if (r?.k === 'cursor') this.#emit({ t: 'cursor', v: r.v });
    else if (r?.k === 'select') this.#emit({ t: 'select', options: r.options, selected: r.selected });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cast.close();
    this.#sink = null;
    await this.#proc.close();
  }
}

/** A prepared browser's options until a session adopts it: nothing allowed, nothing recorded. */
function unassigned(launch: LaunchOptions, cast: CastSettings | null): RemoteBrowserOptions {
  return {
    launch, maxTabs: 1, maxFps: 1, quality: cast?.quality ?? 10, maxFrame: cast?.maxFrame ?? { width: launch.width, height: launch.height },
    maxDownloadBytes: 0, audit: () => {},
    controls: { copy: 'deny', paste: 'deny', download: 'deny', upload: 'deny', keyboard: 'deny', print: 'deny' },
    checkNavigation: async () => ({ allow: false, reason: 'this browser does not serve a session yet' }),
  };
}
