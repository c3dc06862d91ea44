// Host (and optional path prefix) → app, in O(1) of the number of apps: an exact-host map plus a
// wildcard-suffix map, each holding the few path prefixes of that host, longest first.
import type { AppHost } from '../config/schema/apps.ts';

interface Route<T> {
  prefix: string;
  target: T;
}

export class RouteTable<T> {
  readonly #exact = new Map<string, Route<T>[]>();
  readonly #wildcard = new Map<string, Route<T>[]>();

  add(host: AppHost, target: T): void {
    const map = host.wildcard ? this.#wildcard : this.#exact;
    const key = host.wildcard ? host.host.slice(2) : host.host;
    const routes = map.get(key) ?? [];
    routes.push({ prefix: host.pathPrefix, target });
    routes.sort((a, b) => b.prefix.length - a.prefix.length);
    map.set(key, routes);
  }

  /** The most specific match: exact host before wildcard, longer path prefix before shorter. */
  lookup(host: string, path: string): T | null {
    const exact = this.#exact.get(host);
    if (exact) {
      const hit = matchPrefix(exact, path);
      if (hit !== null) return hit;
    }
    // `*.example.com` covers `a.example.com` but not `a.b.example.com` nor `example.com` (one label).
    const dot = host.indexOf('.');
    if (dot > 0) {
      const wild = this.#wildcard.get(host.slice(dot + 1));
      if (wild) return matchPrefix(wild, path);
    }
    return null;
  }
}

function matchPrefix<T>(routes: Route<T>[], path: string): T | null {
  for (const r of routes) {
    if (r.prefix === '/' || path === r.prefix || path.startsWith(r.prefix + '/')) return r.target;
  }
  return null;
}
