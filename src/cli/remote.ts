// Admin commands against a running instance: `--url https://auth.example.com` sends them through
// the admin API (/api/v1) with the token in env MOATLESS_API_TOKEN, instead of opening the store.
// Owns: choosing the mode, the HTTP calls, paging through cursors, and turning API errors into a
// message and exit code. Must not: take the token from a flag (it would sit in shell history and
// `ps`), or send it over plain HTTP to anything but this machine.
import { processEnv } from '../config/env.ts';
import { UsageError, flag, type ParsedArgs } from './args.ts';

export const TOKEN_ENV = 'MOATLESS_API_TOKEN';

/** A failed API call: printed as `command: message (code)` with exit code 1. */
export class RemoteError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RemoteError';
    this.code = code;
  }
}

export interface AdminApiClient {
  readonly base: string;
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  /** `timeoutMs` (default 30 s) for calls that run long on the server, such as a risk-sync cycle. */
  post<T>(path: string, body: unknown, opts?: { timeoutMs?: number }): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** Every item of a cursor-paged list, up to `max`. */
  list<T>(path: string, query: Record<string, string | number | undefined>, max: number): Promise<T[]>;
}

const LOOPBACK = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** The API client when `--url` was given, else null (the command reads the store). */
export function remoteApi(args: ParsedArgs, env: Readonly<Record<string, string | undefined>> = processEnv()): AdminApiClient | null {
  if (!args.flags.has('url')) return null;
  const raw = flag(args, 'url');
  let url: URL;
  try {
    url = new URL(raw ?? '');
  } catch {
    throw new UsageError('--url takes the auth URL of a running Moatless, e.g. https://auth.example.com');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new UsageError('--url must be https:// (plain http only to this machine): the API token must not cross the network in clear text');
  }
  const token = env[TOKEN_ENV]?.trim();
  if (!token) throw new UsageError(`--url needs an admin API token in the environment variable ${TOKEN_ENV} (moatless admin token create)`);
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/v1`;
  return new HttpAdminApi(base, token);
}

class HttpAdminApi implements AdminApiClient {
  readonly base: string;
  readonly #token: string;

  constructor(base: string, token: string) {
    this.base = base;
    this.#token = token;
  }

  async #call<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, query: Record<string, string | number | undefined>, body?: unknown, timeoutMs = 30_000,
  ): Promise<T> {
    const u = new URL(this.base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(u, {
        method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
        headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new RemoteError('unreachable', `cannot reach ${u.origin}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RemoteError('not_json', `${u.origin} answered ${res.status} without JSON: is --url the auth URL of a Moatless server?`);
    }
    if (!res.ok) {
      const e = json as { code?: string; message?: string; details?: { path: string; message: string }[] };
      // Not the admin API's {code, message, details}: something else answers at that URL.
      if (typeof e?.code !== 'string' || typeof e.message !== 'string') {
        throw new RemoteError(String(res.status), `${u.origin} answered ${res.status} without an admin API error: is --url the auth URL of a Moatless server?`);
      }
      const details = (e.details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ');
      throw new RemoteError(e.code, `${e.message}${details ? ` (${details})` : ''}`);
    }
    return json as T;
  }

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.#call<T>('GET', path, query);
  }

  post<T>(path: string, body: unknown, opts: { timeoutMs?: number } = {}): Promise<T> {
    return this.#call<T>('POST', path, {}, body, opts.timeoutMs);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('PATCH', path, {}, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.#call<T>('DELETE', path, {});
  }

  async list<T>(path: string, query: Record<string, string | number | undefined>, max: number): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ items: T[]; nextCursor: string | null }>(path, { ...query, limit: Math.min(500, max - out.length), cursor });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < max);
    return out.slice(0, max);
  }
}

/** Runs a command through the API when `--url` is given, else through the store. */
export async function viaApiOrStore(
  args: ParsedArgs, remote: (api: AdminApiClient) => Promise<number>, local: () => Promise<number>,
): Promise<number> {
  const api = remoteApi(args);
  if (!api) return local();
  try {
    return await remote(api);
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    process.stderr.write(`moatless: ${err.message} [${err.code}]\n`);
    return 1;
  }
}
