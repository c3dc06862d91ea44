// `--require-assertion`: the connector forwards only requests carrying a valid Moatless origin
// assertion, checked against the edge's JWKS (`/tunnel/v1/certs`, fetched over the same verified
// TLS as the tunnel), so a leaked tunnel token alone cannot reach the private app.
// Must not: trust anything but the signature, issuer, expiry and (when given) audience.
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Socket } from 'node:net';
import { dialEdge, type EdgeTarget } from './edge-dial.ts';

export interface AssertionCheck {
  header: string;
  verify(token: string | undefined): Promise<boolean>;
}

export function assertionCheck(o: { target: EdgeTarget; header: string; audiences: string[] }): AssertionCheck {
  const agent = new Agent({ connect: (_opts, cb) => {
    const s = dialEdge(o.target);
    s.once(o.target.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => cb(null, s as Socket));
    s.once('error', (e) => cb(e, null));
  } });
  const jwks = createRemoteJWKSet(new URL('/tunnel/v1/certs', o.target.url), {
    [customFetch]: (url: string, init: RequestInit) => undiciFetch(url, { ...init, dispatcher: agent } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>,
  });
  const issuer = o.target.url.origin;
  return {
    header: o.header,
    async verify(token) {
      if (!token) return false;
      try {
        await jwtVerify(token, jwks, { issuer, algorithms: ['ES256'], ...(o.audiences.length > 0 ? { audience: o.audiences } : {}) });
        return true;
      } catch {
        return false;
      }
    },
  };
}
