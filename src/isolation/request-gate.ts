// A remote browser's gate for what leaves it (the DevTools Fetch domain, at the browser level).
// Owns: pausing every document request of every page — address bar, link, redirect, popup, frame —
// until its page is set up and the session's navigation check has allowed it; a main frame that no
// policy isolates any more leaving the session; a downloaded file viewed in place answered from the
// session's directory; and the Gateway's 407 answered with the session's credential. Must not: let
// a document request continue unchecked (any failure fails it), or answer any other challenge.
import type { CdpConnection, CdpParams } from './cdp-pipe.ts';
import type { RemoteBrowserOptions } from './remote-browser.ts';
import type { Tabs } from './tabs.ts';
import type { Transfers } from './transfers.ts';
import type { NavigationVerdict } from './types.ts';

export interface RequestGateHost {
  /** The session's options now (a pooled browser's allow nothing until it is adopted). */
  options(): RemoteBrowserOptions;
  tabs: Tabs;
  transfers: Transfers;
  /** Tells the viewer (a blocked address). */
  notice(text: string): void;
}

export class RequestGate {
  readonly #cdp: CdpConnection;
  readonly #host: RequestGateHost;

  constructor(cdp: CdpConnection, host: RequestGateHost) {
    this.#cdp = cdp;
    this.#host = host;
    // Fail closed, and never an unhandled rejection (it would end every session on this server).
    cdp.on('Fetch.requestPaused', (p, sid) => void this.#onRequest(p, sid).catch(() => this.#fail(String(p.requestId), sid)));
    cdp.on('Fetch.authRequired', (p, sid) => this.#onAuth(p, sid));
  }

  /**
   * Every document request of every page pauses here, at the browser level, from the first one on:
   * no page is ever unchecked while it starts. `proxied`: the Gateway's challenges come here too.
   */
  async enable(proxied: boolean): Promise<void> {
    await this.#cdp.send('Fetch.enable', {
      patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }], handleAuthRequests: proxied,
    });
  }

  #fail(requestId: string, sid: string | undefined): void {
    this.#cdp.post('Fetch.failRequest', { requestId, errorReason: 'BlockedByClient' }, sid);
  }

  /**
   * A document request, checked before it leaves (paused at the browser level: `sid` is the
   * browser's session). A new page's document also waits for its setup, so none of it runs before
   * its dialogs, file chooser and helpers are handled.
   */
  async #onRequest(p: CdpParams, sid: string | undefined): Promise<void> {
    const requestId = String(p.requestId);
    const raw = String((p.request as { url?: string }).url ?? '');
    const frameId = String(p.frameId ?? '');
    const { tabs, transfers } = this.#host;
    await tabs.ready(frameId);
    // A downloaded file viewed here ("remote-view"): answered from the session's own directory.
    const viewed = transfers.viewResponse(raw);
    if (viewed) {
      return this.#cdp.post('Fetch.fulfillRequest', {
        requestId, responseCode: viewed.status, responseHeaders: viewed.headers, body: viewed.body.toString('base64'),
      }, sid);
    }
    let verdict: NavigationVerdict = { allow: false, reason: 'not a web address' };
    try {
      const url = new URL(raw);
      if (url.protocol === 'http:' || url.protocol === 'https:') verdict = await this.#host.options().checkNavigation(url);
    } catch {
      verdict = { allow: false, reason: 'the navigation check failed' };
    }
    const o = this.#host.options();
    const main = tabs.isPage(frameId);
    if (main && verdict.allow && verdict.direct && o.leave) {
      this.#fail(requestId, sid);
      return o.leave(raw);
    }
    if (main && verdict.isolation) o.onIsolation?.(verdict.isolation);
    if (verdict.allow) return this.#cdp.post('Fetch.continueRequest', { requestId }, sid);
    this.#fail(requestId, sid);
    o.audit('navigation-blocked', raw.slice(0, 2048), verdict.reason);
    this.#host.notice(`Blocked: ${raw.slice(0, 200)} (${verdict.reason ?? 'policy'})`);
  }

  /** The Gateway's 407: answered with this session's credential; any other challenge is cancelled. */
  #onAuth(p: CdpParams, sid: string | undefined): void {
    const requestId = String(p.requestId);
    const proxy = (p.authChallenge as { source?: string } | undefined)?.source === 'Proxy';
    const creds = this.#host.options().proxyAuth;
    const authChallengeResponse = proxy && creds
      ? { response: 'ProvideCredentials', username: creds.username, password: creds.password }
      : { response: 'CancelAuth' };
    this.#cdp.post('Fetch.continueWithAuth', { requestId, authChallengeResponse }, sid);
  }
}
