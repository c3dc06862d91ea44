// A bounded, short-lived cache of name → addresses in front of the Gateway's Resolver, so traffic
// does not pay a resolver round trip per request (Squid caches names too). It caches only the
// answer to "which addresses": decide.ts still checks egress on the address taken from that answer,
// and that address is the one dialled — so a cached private address is refused like a fresh one,
// and rebinding stays impossible. Must not: cache transient failures, hold more than `maxNames`
// names, or keep an answer past `gateway.dnsCacheTtl` (getaddrinfo does not report record TTLs, so
// that setting is the cap).
import type { Resolver } from './egress.ts';

/** Names held at most by default; the least recently used goes first. */
export const DNS_CACHE_MAX_NAMES = 10_000;
/** "No such name" is remembered this long (never longer than the positive TTL): retries of a typo stay local. */
export const DNS_NEGATIVE_TTL_MS = 5_000;
/** Definite answers only; EAI_AGAIN, timeouts and SERVFAIL are asked again on the next request. */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA']);

type Answer = { addresses: readonly string[] } | { error: unknown };
interface Entry { expires: number; answer: Answer }

function noSuchName(err: unknown): boolean {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && NO_SUCH_NAME.has(err.code);
}

export interface DnsCacheOptions {
  /** Read per lookup, so a config reload applies; 0 or less: no cache, every lookup is asked. */
  ttlMs(): number;
  now(): number;
  maxNames?: number;
}

export function cachingResolver(resolve: Resolver, o: DnsCacheOptions): Resolver {
  const maxNames = o.maxNames ?? DNS_CACHE_MAX_NAMES;
  // Map order is insertion order: a hit is re-inserted, so the first key is the least recently used.
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<readonly string[]>>();
  const remember = (key: string, ttl: number, answer: Answer) => {
    inFlight.delete(key);
    if (ttl <= 0) return;
    entries.delete(key);
    if (entries.size >= maxNames) entries.delete(entries.keys().next().value!);
    entries.set(key, { expires: o.now() + ttl, answer });
  };
  return (host) => {
    const ttl = o.ttlMs();
    if (ttl <= 0) return resolve(host);
    const key = host.toLowerCase();
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      if (hit.expires > o.now()) {
        entries.set(key, hit);
        return 'addresses' in hit.answer ? Promise.resolve(hit.answer.addresses) : Promise.reject(hit.answer.error);
      }
    }
    // Concurrent requests for one name share one question.
    const pending = inFlight.get(key);
    if (pending) return pending;
    const asked = resolve(host).then(
      (addresses) => {
        // An empty answer is not worth keeping: the request fails closed and the next one asks again.
        if (addresses.length === 0) inFlight.delete(key);
        else remember(key, ttl, { addresses });
        return addresses;
      },
      (error: unknown) => {
        if (noSuchName(error)) remember(key, Math.min(ttl, DNS_NEGATIVE_TTL_MS), { error });
        else inFlight.delete(key);
        throw error;
      },
    );
    inFlight.set(key, asked);
    return asked;
  };
}
