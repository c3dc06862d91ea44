// A remote browser's tabs. Owns: the tab list and which tab is active, popups becoming tabs (a popup
// takes the screen, like a new tab in a local browser), switching, closing, the tab cap (a page
// opening popups without end has each one beyond it closed at once), and each new page's setup
// before its document runs. Must not: set up a page's session itself (its host does: helpers,
// dialogs, file chooser, viewport), check navigations (the host does, for every page), or run the
// screencast.
//
// New pages are attached by hand when they appear, never auto-attached: Chromium 156 holds an
// auto-attached popup until Runtime.runIfWaitingForDebugger (even with waitForDebuggerOnStart off),
// and while one waits, every page of its renderer — its opener too — drops the input it is sent:
// acknowledged, never delivered (the click lost after a popup flood). A page attached by hand runs
// at once; what must not run before its setup, its document, waits instead: the host holds the
// page's document request until `ready` (its navigation is checked then like any other).
//
// A popup takes the screen once it is set up, which is when its document commits: on a renderer busy
// with its pages' own work (a click running 1,000 window.open()) that can be tens of seconds after
// the click that opened it. A tab the user picked in the strip meanwhile keeps the screen: a popup
// shows only if no pick came after it opened (Chromium itself focuses a popup as it opens).
import type { CdpConnection, CdpParams } from './cdp-pipe.ts';
import type { TabInfo } from './types.ts';

export interface Tab extends TabInfo { session: string; helperContext: number | null }

export interface TabsHost {
  maxTabs(): number;
  /** Sets up a new page's session: every command is sent before this returns (its document waits until then). */
  prepare(session: string): Promise<unknown>;
  /** The screen moves off the tab on `session`. */
  leaving(session: string): void;
  /** The active tab's target went away. */
  lost(): void;
  /** A tab took the screen (after the list changed). */
  activated(): void;
  /** The list, a title, an address or the active tab changed. */
  changed(): void;
  notice(text: string): void;
}

export class Tabs {
  readonly #cdp: CdpConnection;
  readonly #host: TabsHost;
  readonly #tabs = new Map<string, Tab>();
  /** Pages not set up yet, by target id: settled once set up (or gone); `picks` as they opened. */
  readonly #starting = new Map<string, { ready: Promise<void>; settle(): void; picks: number }>();
  /** Pages closed past the cap, until they are gone (their first request may still come). */
  readonly #refused = new Set<string>();
  #active: string | null = null;
  /** Tabs the user picked so far (`activate`). */
  #picks = 0;

  constructor(cdp: CdpConnection, host: TabsHost) {
    this.#cdp = cdp;
    this.#host = host;
  }

  get size(): number { return this.#tabs.size; }
  get activeId(): string | null { return this.#active; }
  active(): Tab | undefined { return this.#active ? this.#tabs.get(this.#active) : undefined; }
  get(id: string): Tab | undefined { return this.#tabs.get(id); }
  has(id: string): boolean { return this.#tabs.has(id); }
  all(): Tab[] { return [...this.#tabs.values()]; }

  bySession(sid: string | undefined): Tab | undefined {
    for (const t of this.#tabs.values()) if (t.session === sid) return t;
    return undefined;
  }

  /** Whether `frameId` is a page's top frame (a page's main frame has its target's id). */
  isPage(frameId: string): boolean {
    return this.#tabs.has(frameId) || this.#starting.has(frameId);
  }

  /** Resolves once the setup of the page whose top frame is `frameId` is sent (at once for any other frame). */
  async ready(frameId: string): Promise<void> {
    if (this.#tabs.has(frameId) && !this.#starting.has(frameId)) return;
    if (!this.#starting.has(frameId)) {
      // A new page's first request can come before its Target.targetCreated: ask (a frame inside a
      // page is no target, or not a page).
      const r = await this.#cdp.send('Target.getTargetInfo', { targetId: frameId }).catch(() => null);
      const info = r?.targetInfo as CdpParams | undefined;
      if (info?.type === 'page') this.created(info);
    }
    await this.#starting.get(frameId)?.ready;
  }

  /** Tabs open or starting: what the cap counts. */
  #count(): number {
    let n = this.#tabs.size;
    for (const id of this.#starting.keys()) if (!this.#tabs.has(id)) n++;
    return n;
  }

  /** Target.targetCreated: a new page (popup, new tab, the first one) is attached, or closed past the cap. */
  created(info: CdpParams): void {
    const targetId = String(info.targetId);
    if (info.type !== 'page' || this.#tabs.has(targetId) || this.#starting.has(targetId) || this.#refused.has(targetId)) return;
    const maxTabs = this.#host.maxTabs();
    if (this.#count() >= maxTabs) {
      // A page opening popups without end: each one beyond the cap is closed at once.
      this.#refused.add(targetId);
      this.#cdp.post('Target.closeTarget', { targetId });
      this.#host.notice(`A new tab was blocked: at most ${maxTabs} tabs are open at once.`);
      return;
    }
    let settle = (): void => {};
    const ready = new Promise<void>((resolve) => { settle = resolve; });
    this.#starting.set(targetId, { ready, settle, picks: this.#picks });
    this.#cdp.send('Target.attachToTarget', { targetId, flatten: true }).catch(() => this.#settle(targetId));
  }

  async attached(p: CdpParams): Promise<void> {
    const info = p.targetInfo as { targetId: string; type: string; url: string; title: string };
    if (info.type !== 'page' || !this.#starting.has(info.targetId)) return;
    const session = String(p.sessionId);
    const tab: Tab = { id: info.targetId, title: info.title, url: info.url, session, helperContext: null };
    const picksWhenOpened = this.#starting.get(tab.id)!.picks;
    this.#tabs.set(tab.id, tab);
    // Listed at once: a page whose setup is never answered (a dialog it opened first) can be closed.
    this.#host.changed();
    // Its setup goes out now, ahead of its document request (held until `ready`): Chromium applies a
    // session's commands in order, and the renderer the document commits in is handed them with it.
    // The answers are not awaited first: a new page's come only once its document commits (seen for
    // target=_blank and window.open alike), so they would wait for what waits for them.
    const setup = this.#host.prepare(session);
    this.#settle(tab.id);
    try {
      await setup;
    } catch {
      return; // closed while starting
    }
    // Closed while its setup was pending (a popup the policy refused): its answer still comes.
    if (!this.#tabs.has(tab.id)) return;
    // A popup takes the screen, like a new tab would in a local browser, unless the user picked a
    // tab since it opened (its setup can be answered long after: the header says why).
    if (picksWhenOpened === this.#picks || this.#active === null) this.#show(tab.id);
  }

  #settle(id: string): void {
    this.#starting.get(id)?.settle();
    this.#starting.delete(id);
  }

  /** Target.detachedFromTarget or targetDestroyed: the page is gone. */
  detached(targetId: string): void {
    this.#settle(targetId);
    this.#refused.delete(targetId);
    if (!this.#tabs.delete(targetId)) return;
    if (this.#active === targetId) {
      this.#active = null;
      this.#host.lost();
      const next = [...this.#tabs.keys()].at(-1);
      if (next) this.#show(next);
      else void this.open('about:blank');
    }
    this.#host.changed();
  }

  infoChanged(info: CdpParams): void {
    const tab = this.#tabs.get(String(info.targetId));
    if (!tab) return;
    tab.url = String(info.url ?? tab.url).slice(0, 8192);
    tab.title = String(info.title ?? '').slice(0, 300);
    this.#host.changed();
  }

  /** The user picked tab `id` (the strip): it takes the screen, and popups opened before stay behind it. */
  activate(id: string): void {
    if (!this.#tabs.has(id)) return;
    this.#picks++;
    this.#show(id);
  }

  #show(id: string): void {
    const previous = this.active();
    this.#active = id;
    if (previous && previous.id !== id) this.#host.leaving(previous.session);
    this.#cdp.post('Target.activateTarget', { targetId: id });
    this.#cdp.post('Page.bringToFront', {}, this.#tabs.get(id)!.session);
    this.#host.changed();
    this.#host.activated();
  }

  async open(url: string): Promise<void> {
    const maxTabs = this.#host.maxTabs();
    if (this.#count() >= maxTabs) return this.#host.notice(`At most ${maxTabs} tabs are open at once.`);
    await this.#cdp.send('Target.createTarget', { url }).catch(() => {});
  }

  close(id: string): void {
    if (this.#tabs.has(id)) this.#cdp.post('Target.closeTarget', { targetId: id });
  }
}
