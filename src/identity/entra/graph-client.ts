// Microsoft Graph client (app-only): the client-credentials token and its cache, requests with
// retries for throttling (429) and transient failures (503/504), `@odata.nextLink` paging, and
// Graph error bodies turned into GraphError. General on purpose: the risk sync and `$batch` build on
// it. Must not know which resources callers read, log tokens or secrets, or send the bearer token to
// any origin other than the configured Graph base.
import { z } from 'zod';
import { clientAuthFields, type EntraClientCredential } from './client-credential.ts';
import { EntraTokenError, GraphError, graphErrorFrom, tokenErrorFrom } from './graph-errors.ts';

export { EntraTokenError, GraphError };

export interface GraphRequestOptions {
  /** Extra headers (e.g. `ConsistencyLevel: eventual`), re-sent on every page. */
  headers?: Record<string, string>;
  body?: unknown;
}

/** The port: what Moatless needs from Microsoft Graph. */
export interface GraphClient {
  /** One request (retried when throttled or transiently unavailable); the parsed JSON body, or null for 204. */
  request(method: string, pathOrUrl: string, opts?: GraphRequestOptions): Promise<unknown>;
  /** Every `value` item of a collection, following `@odata.nextLink` to the end. */
  getAll(pathOrUrl: string, opts?: GraphRequestOptions): Promise<unknown[]>;
}

export interface GraphClientOptions {
  tokenUrl: string;
  /** e.g. `https://graph.microsoft.us` — requests go to `{graphBase}/v1.0/…`, the scope is `{graphBase}/.default`. */
  graphBase: string;
  tenantId: string;
  clientId: string;
  /** How the app authenticates: a secret, or a certificate that signs a client assertion. */
  credential?: EntraClientCredential;
  /** Shorthand for `credential: { kind: 'secret', secret }`. */
  clientSecret?: string;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1) — jitter source, injectable so tests are deterministic. */
  random?: () => number;
  /** Total tries per request, first one included. */
  maxAttempts?: number;
  /** Upper bound for one wait, whether from Retry-After or backoff. */
  maxDelayMs?: number;
  timeoutMs?: number;
}

const tokenBody = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive(), token_type: z.string().optional() });
const pageBody = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() }).loose();

/** Refresh this long before `expires_in` runs out: clock skew and the request's own flight time. */
const TOKEN_SKEW_MS = 5 * 60_000;
const RETRYABLE = new Set([429, 503, 504]);
const MAX_PAGES = 1000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class EntraGraphClient implements GraphClient {
  readonly graphBase: string;
  readonly #o: Required<Omit<GraphClientOptions, 'graphBase' | 'clientSecret'>>;
  readonly #origin: string;
  #token: { value: string; refreshAt: number } | null = null;
  #inflight: Promise<string> | null = null;

  constructor(opts: GraphClientOptions) {
    this.graphBase = opts.graphBase.replace(/\/+$/, '');
    this.#origin = new URL(this.graphBase).origin;
    const credential = opts.credential ?? (opts.clientSecret !== undefined ? { kind: 'secret' as const, secret: opts.clientSecret } : undefined);
    if (!credential) throw new TypeError('EntraGraphClient needs a credential (client secret or certificate)');
    this.#o = {
      tokenUrl: opts.tokenUrl, tenantId: opts.tenantId, clientId: opts.clientId, credential,
      fetch: opts.fetch ?? fetch, now: opts.now ?? Date.now, sleep: opts.sleep ?? defaultSleep, random: opts.random ?? Math.random,
      maxAttempts: opts.maxAttempts ?? 4, maxDelayMs: opts.maxDelayMs ?? 30_000, timeoutMs: opts.timeoutMs ?? 10_000,
    };
  }

  async request(method: string, pathOrUrl: string, opts: GraphRequestOptions = {}): Promise<unknown> {
    const url = this.#resolve(pathOrUrl);
    let renewed = false;
    for (;;) {
      const token = await this.#accessToken();
      const headers: Record<string, string> = { accept: 'application/json', ...opts.headers, authorization: `Bearer ${token}` };
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.body);
      }
      const res = await this.#send(url, { method, headers, ...(body !== undefined ? { body } : {}) }, 'graph');
      const json = await readJson(res);
      if (res.ok) return res.status === 204 ? null : json;
      const err = graphErrorFrom(res.status, json);
      // A token revoked or rotated early: fetch a fresh one once, then give up (fail closed).
      if (res.status === 401 && !renewed) {
        renewed = true;
        this.#token = null;
        continue;
      }
      throw err;
    }
  }

  async getAll(pathOrUrl: string, opts: GraphRequestOptions = {}): Promise<unknown[]> {
    const items: unknown[] = [];
    let next: string | undefined = pathOrUrl;
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_PAGES) throw new GraphError(0, 'invalid_response', `Microsoft Graph paging did not end after ${MAX_PAGES} pages`);
      const parsed = pageBody.safeParse(await this.request('GET', next, { ...(opts.headers ? { headers: opts.headers } : {}) }));
      if (!parsed.success) throw new GraphError(200, 'invalid_response', 'Microsoft Graph returned a collection without a value array');
      items.push(...parsed.data.value);
      // Graph paging concept page: follow nextLink verbatim; it carries $skiptoken and every option.
      next = parsed.data['@odata.nextLink'];
    }
    return items;
  }

  /** Relative paths go under `/v1.0`; absolute URLs (nextLinks) must stay on the Graph origin. */
  #resolve(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      if (new URL(pathOrUrl).origin !== this.#origin) {
        throw new GraphError(0, 'foreign_next_link', `refusing to send the Graph token to ${new URL(pathOrUrl).origin}`);
      }
      return pathOrUrl;
    }
    return `${this.graphBase}/v1.0${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
  }

  /** Cached app token; concurrent callers share one token request. */
  #accessToken(): Promise<string> {
    const t = this.#token;
    if (t && this.#o.now() < t.refreshAt) return Promise.resolve(t.value);
    this.#inflight ??= this.#fetchToken().finally(() => { this.#inflight = null; });
    return this.#inflight;
  }

  async #fetchToken(): Promise<string> {
    const o = this.#o;
    // Reference §2.9: form-encoded client credentials, scope `{graph}/.default`; a certificate signs
    // a fresh assertion per request (unique jti, `aud` = the token URL).
    const auth = await clientAuthFields(o.credential, { clientId: o.clientId, audience: o.tokenUrl, now: o.now() });
    const form = new URLSearchParams({ client_id: o.clientId, ...auth, scope: `${this.graphBase}/.default`, grant_type: 'client_credentials' });
    const res = await this.#send(o.tokenUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString(),
    }, 'token');
    const json = await readJson(res);
    if (!res.ok) throw tokenErrorFrom(res.status, json);
    const parsed = tokenBody.safeParse(json);
    if (!parsed.success) throw new EntraTokenError(res.status, 'invalid_response', undefined, 'the Entra token endpoint returned no access_token/expires_in');
    const lifetime = parsed.data.expires_in * 1000;
    this.#token = { value: parsed.data.access_token, refreshAt: o.now() + Math.max(lifetime / 2, lifetime - TOKEN_SKEW_MS) };
    return parsed.data.access_token;
  }

  /**
   * Sends with bounded retries: 429/503/504 honour Retry-After, else exponential backoff with full
   * jitter (Graph throttling guidance; Identity Protection 429s carry no Retry-After, §2.7).
   * Network errors are retried the same way. The last answer (or error) is returned/thrown.
   */
  async #send(url: string, init: RequestInit, target: 'graph' | 'token'): Promise<Response> {
    const o = this.#o;
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      let failure: unknown;
      try {
        res = await o.fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs) });
      } catch (cause) {
        failure = cause;
      }
      const last = attempt >= o.maxAttempts;
      if (res && (!RETRYABLE.has(res.status) || last)) return res;
      if (!res && last) {
        const why = failure instanceof Error ? failure.message : String(failure);
        if (target === 'token') throw new EntraTokenError(0, 'network_error', undefined, `the Entra token endpoint is unreachable: ${why}`, { cause: failure });
        throw new GraphError(0, 'network_error', `Microsoft Graph is unreachable: ${why}`, { cause: failure });
      }
      const hinted = res ? retryAfterMs(res.headers.get('retry-after'), o.now()) : undefined;
      await res?.body?.cancel();
      const backoff = o.random() * 500 * 2 ** (attempt - 1);
      await o.sleep(Math.min(o.maxDelayMs, hinted ?? backoff));
    }
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
