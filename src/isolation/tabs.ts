// A remote browser's tabs. Owns: the tab list and which tab is active, popups becoming tabs (a popup
// takes the screen, like a new tab in a local browser), switching, closing, and the tab cap (a page
// opening popups without end has each one beyond it closed at once). Must not: set up a page's
// session itself (its host does: helpers, interception, viewport), run the screencast, or let a
// new page run before it is set up (pages start paused, waitForDebuggerOnStart).
import type { CdpConnection, CdpParams } from './cdp-pipe.ts';
import type { TabInfo } from './types.ts';

export interface Tab extends TabInfo { session: string; helperContext: number | null }

export interface TabsHost {
  maxTabs(): number;
  /** Sets up a new page's session while it waits to run. */
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
  #active: string | null = null;

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

  async attached(p: CdpParams): Promise<void> {
    const info = p.targetInfo as { targetId: string; type: string; url: string; title: string };
    const session = String(p.sessionId);
    if (info.type !== 'page') {
      this.#cdp.post('Runtime.runIfWaitingForDebugger', {}, session);
      return;
    }
    const maxTabs = this.#host.maxTabs();
    if (this.#tabs.size >= maxTabs) {
      // A page opening popups without end: each one beyond the cap is closed at once. It is resumed
      // first: its opener waits in window.open() until the new page runs, and would hang otherwise.
      this.#cdp.post('Runtime.runIfWaitingForDebugger', {}, session);
      this.#cdp.post('Target.closeTarget', { targetId: info.targetId });
      this.#host.notice(`A new tab was blocked: at most ${maxTabs} tabs are open at once.`);
      return;
    }
    const tab: Tab = { id: info.targetId, title: info.title, url: info.url, session, helperContext: null };
    this.#tabs.set(tab.id, tab);
    try {
      await this.#host.prepare(session);
      await this.#cdp.send('Runtime.runIfWaitingForDebugger', {}, session);
    } catch {
      return; // closed while starting
    }
    // A popup takes the screen, like a new tab would in a local browser.
    this.activate(tab.id);
  }

  detached(targetId: string): void {
    if (!this.#tabs.delete(targetId)) return;
    if (this.#active === targetId) {
      this.#active = null;
      this.#host.lost();
      const next = [...this.#tabs.keys()].at(-1);
      if (next) this.activate(next);
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

  activate(id: string): void {
    if (!this.#tabs.has(id)) return;
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
    if (this.#tabs.size >= maxTabs) return this.#host.notice(`At most ${maxTabs} tabs are open at once.`);
    await this.#cdp.send('Target.createTarget', { url }).catch(() => {});
  }

  close(id: string): void {
    if (this.#tabs.has(id)) this.#cdp.post('Target.closeTarget', { targetId: id });
  }
}
