// A fetch that dials one fixed address whatever the URL's host says, keeping the URL (and so the
// Host header) intact: the demo's emulator reaches `http://auth.localhost:8080` on a machine with
// no DNS and no /etc/hosts entry for it (Node's getaddrinfo resolves plain `localhost`, not
// `*.localhost`). Development only.
import { isIP, type LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';

export function pinnedFetch(address: string): typeof fetch {
  const family = isIP(address) === 6 ? 6 : 4;
  const agent = new Agent({
    connect: {
      lookup: ((_host: string, opts: { all?: boolean }, cb: (err: null, a: unknown, f?: number) => void) => {
        if (opts.all) cb(null, [{ address, family }]);
        else cb(null, address, family);
      }) as unknown as LookupFunction,
    },
  });
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
}
