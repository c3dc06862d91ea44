// What the Access benchmark needs around its measurements: one certificate for both TLS
// terminators, the preflight that every configuration serves the page, and counting access-log
// lines afterwards. Must not measure anything.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { get } from './http-touch.ts';
import type { Target } from './throughput.ts';

/** Every configuration must serve the 1 KB page, or we would benchmark an error page. */
export async function preflight(targets: Target[]): Promise<void> {
  const agent = new Agent({ keepAlive: false });
  const tlsAgent = new HttpsAgent({ keepAlive: false, rejectUnauthorized: false });
  for (const t of targets) {
    const u = new URL(t.url);
    const r = await get(u.protocol === 'https:' ? tlsAgent : agent, Number(u.port), t.headers.Host ?? u.host, t.headers.Cookie ?? '', '/', u.protocol === 'https:');
    if (r.status !== 200 || r.bytes !== 1024) throw new Error(`preflight: ${t.name} answered ${r.status} with ${r.bytes} bytes (expected 200, 1024)`);
  }
}

/** One certificate for both TLS terminators (nginx and Moatless), made with openssl like the tests do. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=bench.localtest.me', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

export function countLines(file: string): number {
  try {
    const b = readFileSync(file);
    let n = 0;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
    return n;
  } catch {
    return 0;
  }
}
