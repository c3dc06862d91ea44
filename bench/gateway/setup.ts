// The Gateway benchmark's fixed parts: certificates made with openssl (an origin CA and its leaf for
// 127.0.0.1; Squid's bump CA), and the origin itself — nginx with one worker serving the same 1 KB
// file over HTTP and HTTPS on loopback. Must not start any proxy (squid.ts, moatless.ts do).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { common, startNginx, type NginxInstance } from '../lib/nginx.ts';

export interface Pem {
  cert: string;
  key: string;
  /** The certificate's text. */
  pem: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** A P-256 root CA valid for a day. */
export function makeCa(dir: string, name: string): Pem {
  const cert = join(dir, `${name}-ca.pem`), key = join(dir, `${name}-ca.key`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name} bench CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', key, '-out', cert]);
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

/** The origin's certificate: 127.0.0.1 as an IP SAN, signed by `ca`. */
export function makeOriginLeaf(dir: string, ca: Pem): Pem {
  const cert = join(dir, 'origin.pem'), key = join(dir, 'origin.key'), csr = join(dir, 'origin.csr'), ext = join(dir, 'origin.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', cert]);
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

/** nginx, 1 worker, the 1 KB file on `http` and `https` (keep-alive without limit), no access log. */
export function startOrigin(nginx: string, prefix: string, ports: { http: number; https: number }, leaf: Pem): Promise<NginxInstance> {
  const conf = `${common(prefix, 1)}  server {
    listen 127.0.0.1:${ports.http};
    listen 127.0.0.1:${ports.https} ssl;
    ssl_certificate ${leaf.cert}; ssl_certificate_key ${leaf.key};
    location / { root ${join(prefix, 'www')}; try_files /1k.txt =404; }
  }
}
`;
  return startNginx(nginx, prefix, conf, ports.http);
}
