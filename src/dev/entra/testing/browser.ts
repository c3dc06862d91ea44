// A tiny cookie-keeping HTTP "browser" for tests that drive the emulator's sign-in pages with
// plain fetch: follows redirects by hand, keeps cookies per path, submits forms. Test support
// only; must not be imported by production code.

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export type Page =
  | { kind: 'callback'; url: URL }
  | { kind: 'page'; url: URL; status: number; html: string };

export class TestBrowser {
  readonly #cookies = new Map<string, Cookie>();
  readonly #stopAt: string;
  readonly #fetch: typeof fetch;

  /** `stopAt`: a redirect to a URL starting with this (the RP callback) ends navigation. */
  constructor(stopAt: string, fetchImpl: typeof fetch = fetch) {
    this.#stopAt = stopAt;
    this.#fetch = fetchImpl;
  }

  #cookieHeader(url: URL): string {
    return [...this.#cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  #store(res: Response, url: URL): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (key: string) => attrs.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attr('path') ?? url.pathname.replace(/\/[^/]*$/, '') ?? '/';
      const expires = attr('expires');
      const maxAge = attr('max-age');
      const gone = (expires && Date.parse(expires) <= Date.now()) || (maxAge !== undefined && Number(maxAge) <= 0);
      if (gone) this.#cookies.delete(`${name};${path}`);
      else this.#cookies.set(`${name};${path}`, { name, value, path });
    }
  }

  async request(url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.#cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await this.#fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.#store(res, url);
    return res;
  }

  /** Navigates (following up to 20 redirects) until the RP callback or an HTML page. */
  async open(start: URL | string, init: { form?: Record<string, string> } = {}): Promise<Page> {
    let url = new URL(start);
    let res = await this.request(url, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) break;
      await res.body?.cancel();
      url = new URL(location, url);
      if (url.href.startsWith(this.#stopAt)) return { kind: 'callback', url };
      res = await this.request(url);
    }
    return { kind: 'page', url, status: res.status, html: await res.text() };
  }

  /** Submits the form on `page` whose action ends with `actionSuffix`. */
  async submit(page: Page, actionSuffix: string, form: Record<string, string> = {}): Promise<Page> {
    if (page.kind !== 'page') throw new Error(`expected an HTML page, got a callback to ${page.url.href}`);
    const actions = [...page.html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
    const action = actions.find((a) => a.endsWith(actionSuffix));
    if (!action) throw new Error(`no form ending in ${actionSuffix} on ${page.url.href}: ${actions.join(', ')}`);
    return this.open(new URL(action, page.url), { form });
  }
}
