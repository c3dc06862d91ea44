// One user's isolation session: their remote browser, the viewer attached to it (one at a time; a
// new one takes over), the controls it runs under, and its deadlines (grace after the viewer leaves,
// idle, hard maximum). Owns the viewer message loop: size and rate limits, the allow-list, and the
// audit of copy, paste, print. Must not: forward anything that is not an allow-listed message.
import { randomUUID } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import type { IsolationConfig, IsolationControls } from '../config/schema/isolation.ts';
import { mapInput } from './input-mapper.ts';
import { RateLimit } from './rate-limit.ts';
import { RemoteBrowser, type CastSettings, type RemoteBrowserOptions, type RemoteSink } from './remote-browser.ts';
import { strictest } from './controls.ts';
import type { AuditKind, IsolationAudit, IsolationReason, NavigationCheck, RemoteCookie, ViewerEvent } from './types.ts';
import { parseViewerMessage, type ViewerMessage } from './viewer-messages.ts';
import type { LaunchOptions } from './chromium-process.ts';
import { Timeline } from './timeline.ts';

export interface SessionUser { email: string; userKey: string; globalSessionId: string }

export interface SessionDeps {
  config: IsolationConfig;
  launch: LaunchOptions;
  /** A prepared browser: a warm one from the pool when one fits `launch`, else a fresh one. */
  prepare?: (o: LaunchOptions) => Promise<RemoteBrowser>;
  audit: IsolationAudit;
  checkNavigation: NavigationCheck;
  /** The Gateway's credential for this session's traffic (null: no Gateway in this process). */
  proxyAuth: { username: string; password: string } | null;
  cookies: RemoteCookie[];
  now(): number;
  /** Where the first frame's time goes (bench/isolation.ts reads it). */
  timeline?: Timeline;
}

/** Close codes a viewer understands (4000–4999 are the application's). */
export const CLOSE = { replaced: 4000, ended: 4001, flood: 1008, tooBig: 1009 } as const;
const MAX_INVALID = 50;

export class IsolationSession {
  readonly id = randomUUID();
  readonly user: SessionUser;
  controls: IsolationControls;
  policy: string;
  /** The viewer's notice: which policy isolates the session, and why. */
  notice: string;
  /** Isolated by a policy (not clientless): ends when no policy isolates its page any more. */
  byPolicy: boolean;
  /** When the remote browser was ready (a slow launch does not eat into the deadlines). */
  startedAt: number;
  lastInputAt: number;
  viewerLeftAt: number | null = null;
  /** Memory of the browser's process tree (PSS) at the watchdog's last look (bytes). */
  memoryBytes: number | null = null;
  state: 'starting' | 'running' | 'crashed' | 'ended' = 'starting';
  #remote: RemoteBrowser | null = null;
  #viewer: WebSocket | null = null;
  #sink: RemoteSink | null = null;
  #lastUrl = 'about:blank';
  readonly #deps: SessionDeps;
  readonly timeline: Timeline;
  #onEnd: (s: IsolationSession, reason: string) => void;

  #opts: RemoteBrowserOptions | null = null;
  #wasReady = false;
  #everAttached = false;
  /** The address the blank tab was sent to (opening it again would restart its load). */
  #opening: string | null = null;
  /** host → the last URL there a policy isolated: what the manager re-checks. */
  readonly #isolatedUrls = new Map<string, string>();

  constructor(user: SessionUser, why: IsolationReason, deps: SessionDeps, onEnd: (s: IsolationSession, reason: string) => void) {
    this.user = user;
    this.controls = why.controls;
    this.policy = why.policy;
    this.notice = why.notice;
    this.byPolicy = why.byPolicy;
    this.#deps = deps;
    this.timeline = deps.timeline ?? new Timeline();
    this.startedAt = this.lastInputAt = deps.now();
    this.#onEnd = onEnd;
  }

  get remote(): RemoteBrowser | null { return this.#remote; }
  get hasViewer(): boolean { return this.#viewer !== null; }
  get url(): string { return this.#remote?.activeUrl ?? this.#lastUrl; }
  /** The page a policy isolated most recently (null until one did). */
  get isolatedUrl(): string | null { return [...this.#isolatedUrls.values()].at(-1) ?? null; }

  audit(kind: AuditKind, url?: string, detail?: string): void {
    this.#deps.audit.record({
      time: this.#deps.now(), kind, user: this.user.email, sessionId: this.id, policy: this.policy,
      ...(url !== undefined ? { url } : {}), ...(detail !== undefined ? { detail } : {}),
    });
  }

  async start(): Promise<void> {
    const c = this.#deps.config;
    const opts: RemoteBrowserOptions = {
      launch: this.#deps.launch, controls: this.controls, maxTabs: c.limits.maxTabs, maxFps: c.limits.maxFps,
      ...castSettings(c), maxDownloadBytes: c.limits.maxDownloadBytes,
      checkNavigation: async (url) => {
        const v = await this.#deps.checkNavigation(this.user, url);
        if (v.isolation) this.#isolatedUrls.set(url.host, url.href);
        // Only a site a policy isolated in this session can stop being isolated (the user's risk
        // dropped). Other sites the remote browser visits — the sign-in hosts on the way to an
        // Access app, links — stay in it; clientless isolation never ends this way.
        return v.direct && !(this.byPolicy && this.#isolatedUrls.has(url.host)) ? { allow: true } : v;
      },
      audit: (kind, url, detail) => this.audit(kind, url, detail),
      proxyAuth: this.#deps.proxyAuth, cookies: this.#deps.cookies,
      onIsolation: (r) => this.#tighten(r),
      leave: (url) => void this.end('no policy isolates this site for you any more; it opens directly', url),
      mark: (m) => this.timeline.mark(m),
    };
    this.#opts = opts;
    this.#opening = null;
    const remote = await (this.#deps.prepare ?? ((o) => RemoteBrowser.prepare(o)))(this.#deps.launch);
    try {
      await remote.adopt(opts);
    } catch (err) {
      await remote.close();
      throw err;
    }
    this.timeline.mark('ready');
    if (this.state === 'ended') return void remote.close();
    this.#remote = remote;
    if (!this.#wasReady) {
      // A restart after a crash keeps the original start: it does not extend the hard maximum.
      this.#wasReady = true;
      this.startedAt = this.lastInputAt = this.#deps.now();
    }
    this.state = 'running';
    void remote.exited.then(() => {
      if (this.#remote !== remote || this.state === 'ended') return;
      this.state = 'crashed';
      this.#send({ t: 'crashed', scope: 'browser' });
    });
  }

  /** Attaches a viewer (a reconnect, or a second window taking over) and opens `url` in it. */
  attach(ws: WebSocket, url: string | null): void {
    const old = this.#viewer;
    if (old && old !== ws) old.close(CLOSE.replaced, 'opened in another window');
    this.#viewer = ws;
    this.#everAttached = true;
    this.timeline.mark('attached');
    this.viewerLeftAt = null;
    const c = this.#deps.config.limits;
    const rate = new RateLimit(c.messagesPerSecond, this.#deps.now());
    let invalid = 0;
    const sink: RemoteSink = {
      frame: (data) => ws.send(data, { binary: true }),
      event: (e) => this.#send(e),
      bufferedAmount: () => ws.bufferedAmount,
    };
    this.#sink = sink;
    // ws reports oversized frames and protocol errors here, then closes (1009/1002): never a crash.
    ws.on('error', () => {});
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      // Binary messages are upload bytes only, bounded by the announced (and capped) size.
      if (isBinary) {
        // (Not `?? 'no remote browser'`: uploadChunk's null means success.)
        const err = this.#remote ? this.#remote.transfers.uploadChunk(buf) : 'no remote browser';
        if (err && ++invalid > MAX_INVALID) return ws.close(CLOSE.flood, 'too many invalid messages');
        if (err) this.#send({ t: 'error', message: `upload: ${err}` });
        return;
      }
      const verdict = rate.take(this.#deps.now());
      if (verdict === 'close') return ws.close(CLOSE.flood, 'too many messages');
      if (verdict === 'drop') return;
      const parsed = parseViewerMessage(buf.toString('utf8'));
      if (!parsed.ok) {
        if (++invalid > MAX_INVALID) return ws.close(CLOSE.flood, 'too many invalid messages');
        return this.#send({ t: 'error', message: `message ignored: ${parsed.error.slice(0, 300)}` });
      }
      void this.#handle(parsed.msg).catch(() => this.#send({ t: 'error', message: 'the remote browser did not accept that' }));
    });
    ws.on('close', () => {
      if (this.#viewer !== ws) return;
      this.#viewer = null;
      this.viewerLeftAt = this.#deps.now();
      this.#remote?.detach(sink);
    });
    this.#hello();
    if (this.state === 'crashed') this.#send({ t: 'crashed', scope: 'browser' });
    this.#remote?.attach(sink);
    if (url) void this.open(url);
  }

  #hello(): void {
    this.#send({ t: 'hello', user: this.user.email, reason: this.notice, controls: this.controls });
  }

  /** Another policy isolates the next page: controls only tighten, the notice names that policy. */
  #tighten(r: IsolationReason): void {
    const controls = strictest(this.controls, r.controls);
    if (r.policy === this.policy && r.notice === this.notice && JSON.stringify(controls) === JSON.stringify(this.controls)) return;
    this.controls = controls;
    if (this.#opts) this.#opts.controls = controls;
    void this.#remote?.transfers.applyDownloadMode().catch(() => {});
    this.policy = r.policy;
    this.notice = r.notice;
    this.byPolicy = true;
    this.#hello();
  }

  /**
   * Opens `url` before any viewer is attached, while the viewer page loads (viewer-mount.ts): the
   * screencast starts too, and its latest frame waits for the viewer. A viewer that never comes
   * counts as one that left: the grace period ends the session.
   */
  prestart(url: string): void {
    if (this.#everAttached || this.state !== 'running' || !this.#remote) return;
    this.viewerLeftAt ??= this.#deps.now();
    this.#remote.castEarly();
    void this.open(url);
  }

  async open(url: string): Promise<void> {
    const r = this.#remote;
    if (!r) return;
    const blank = r.activeUrl === 'about:blank' || r.activeUrl === null;
    if (blank && this.#opening === url) return; // already loading (started with the viewer page)
    this.#lastUrl = url;
    if (blank) {
      this.#opening = url;
      await r.navigate(url);
    } else if (r.activeUrl !== url) await r.newTab(url);
  }

  #send(e: ViewerEvent): void {
    const ws = this.#viewer;
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
  }

  async #handle(m: ViewerMessage): Promise<void> {
    if (m.t === 'ack') return this.#remote?.viewerAck(m.f);
    this.lastInputAt = this.#deps.now();
    if (m.t === 'restart') return this.#restart();
    const r = this.#remote;
    if (!r || this.state !== 'running') return;
    switch (m.t) {
      case 'mouse': case 'wheel': case 'key': case 'text': case 'paste': {
        const res = mapInput(m, r.viewport, this.controls, this.#deps.config.limits.maxPasteBytes);
        // Ctrl/Cmd+P does what the toolbar's print button does, under the print control.
        if (res.action === 'print') return this.#print(r);
        if (res.kind === 'drop') {
          if (res.action) this.audit(`${res.action}-blocked`, r.activeUrl ?? undefined, res.reason);
          if (res.action) this.#send({ t: 'notice', text: `${cap(res.action)} is not allowed here (${res.reason}).` });
          return;
        }
        await r.input(res.commands);
        if (res.action === 'paste') this.audit('paste', r.activeUrl ?? undefined, m.t === 'paste' ? `${Buffer.byteLength(m.s)} bytes from the device` : 'within the remote browser');
        if (res.action === 'copy') return this.#copy(r);
        return;
      }
      case 'resize': {
        const c = this.#deps.config.limits;
        const dpr = Math.min(m.dpr, 3);
        return r.resize(Math.min(m.w, Math.floor(c.maxWidth / dpr)), Math.min(m.h, Math.floor(c.maxHeight / dpr)), dpr);
      }
      case 'nav': return this.#navigate(r, m.url);
      case 'back': return r.history(-1);
      case 'forward': return r.history(1);
      case 'reload': return r.reload();
      case 'tab':
        if (m.a === 'new') return r.newTab('about:blank');
        if (m.id && m.a === 'switch') return r.switchTab(m.id);
        if (m.id && m.a === 'close') return r.closeTab(m.id);
        return;
      case 'dialog': return r.answerDialog(m.ok, m.s);
      case 'select': return r.choose(m.i);
      case 'print': return this.#print(r);
      case 'upload': {
        const err = r.transfers.beginUpload(m.name, m.size, this.#deps.config.limits.maxUploadBytes);
        if (err) this.#send({ t: 'error', message: `upload: ${err}` });
        return;
      }
      case 'upload-cancel': return r.transfers.cancelUpload();
    }
  }

  async #copy(r: RemoteBrowser): Promise<void> {
    if (this.controls.copy !== 'allow') return this.audit('copy', r.activeUrl ?? undefined, 'within the remote browser');
    const text = await r.selection();
    this.audit('copy', r.activeUrl ?? undefined, `${Buffer.byteLength(text)} bytes to the device`);
    if (text) this.#send({ t: 'clipboard', s: text });
  }

  async #print(r: RemoteBrowser): Promise<void> {
    if (this.controls.print === 'deny') {
      this.audit('print-blocked', r.activeUrl ?? undefined);
      return this.#send({ t: 'notice', text: 'Printing is not allowed here.' });
    }
    const pdf = await r.printToPdf();
    if (!pdf) return;
    this.audit('print', r.activeUrl ?? undefined, `${pdf.length} bytes PDF`);
    r.transfers.offer('print.pdf', pdf, (e) => this.#send(e));
  }

  async #navigate(r: RemoteBrowser, text: string): Promise<void> {
    const url = normalizeUrl(text);
    if (!url) return this.#send({ t: 'notice', text: 'Only http:// and https:// addresses can be opened.' });
    this.#lastUrl = url;
    await r.navigate(url);
  }

  async #restart(): Promise<void> {
    if (this.state === 'ended') return;
    const old = this.#remote;
    if (this.state === 'running' && old) return old.reload();
    this.#remote = null;
    this.state = 'starting';
    await old?.close();
    await this.start();
    const fresh = this.#remote as RemoteBrowser | null;
    if (this.#viewer && this.#sink) fresh?.attach(this.#sink);
    await this.open(this.#lastUrl);
  }

  /** `direct`: the URL the viewer then opens directly (isolation is no longer needed there). */
  async end(reason: string, direct?: string): Promise<void> {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.#send({ t: 'ended', reason, ...(direct ? { direct } : {}) });
    this.#viewer?.close(CLOSE.ended, reason.slice(0, 100));
    this.#viewer = null;
    this.audit('session-end', undefined, reason);
    this.#onEnd(this, reason);
    await this.#remote?.close();
  }
}

/** The screencast settings a session starts with: a pooled browser is armed with them (manager.ts). */
export function castSettings(c: IsolationConfig): CastSettings {
  return { quality: c.limits.quality, maxFrame: { width: c.limits.maxWidth, height: c.limits.maxHeight } };
}

/** The address bar's text to a URL: http(s) only; a bare host gets https://. */
export function normalizeUrl(text: string): string | null {
  const t = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(t) ? t : `https://${t}`;
  try {
    const u = new URL(withScheme);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
