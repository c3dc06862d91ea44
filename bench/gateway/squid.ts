// Squid (Debian's squid-openssl), the forward-proxy anchor: one worker, its access log on, no cache
// (every request goes to the origin, as through Moatless), persistent connections on both sides
// (Squid's defaults), ssl_bump with its own CA for inspection, and a splice (a blind tunnel) for
// clients from 127.0.0.2 — the same split the Moatless config makes with a Do Not Inspect rule.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProgram, waitForPort } from '../lib/procs.ts';
import type { Pem } from './setup.ts';

const CERTGEN = '/usr/lib/squid/security_file_certgen';

/** Installs squid-openssl when missing (scripts/ensure-squid.sh); throws with what to run otherwise. */
export function ensureSquid(): string {
  const script = new URL('../../scripts/ensure-squid.sh', import.meta.url).pathname;
  try {
    execFileSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    throw new Error('Squid is required for the Gateway benchmark: apt-get update && apt-get install -y squid-openssl');
  }
  return '/usr/sbin/squid';
}

export function squidConfig(dir: string, port: number, bumpCa: Pem, originCa: Pem): string {
  return `workers 1
visible_hostname moatless-bench
http_port 127.0.0.1:${port} ssl-bump tls-cert=${bumpCa.cert} tls-key=${bumpCa.key} generate-host-certificates=on dynamic_cert_mem_cache_size=16MB
sslcrtd_program ${CERTGEN} -s ${join(dir, 'ssl_db')} -M 16MB
sslcrtd_children 4 startup=1 idle=1
acl step1 at_step SslBump1
acl noinspect src 127.0.0.2/32
ssl_bump splice noinspect
ssl_bump peek step1
ssl_bump bump all
tls_outgoing_options cafile=${originCa.cert}
http_access allow all
cache deny all
cache_mem 0 MB
access_log stdio:${join(dir, 'access.log')} squid
cache_log ${join(dir, 'cache.log')}
pid_filename ${join(dir, 'squid.pid')}
coredump_dir ${dir}
icp_port 0
htcp_port 0
pinger_enable off
netdb_filename none
logfile_rotate 0
shutdown_lifetime 1 seconds
max_filedescriptors 65536
`;
}

/** Starts Squid in the foreground on a config in `dir`; resolves when its port accepts. */
export async function startSquid(squid: string, dir: string, port: number, bumpCa: Pem, originCa: Pem): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  execFileSync(CERTGEN, ['-c', '-s', join(dir, 'ssl_db'), '-M', '16MB'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'squid.conf'), squidConfig(dir, port, bumpCa, originCa));
  // Squid drops to the `proxy` user when started as root: it must own its logs and certificate db.
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'proxy:proxy', dir]);
  const child = startProgram(squid, ['-N', '-f', join(dir, 'squid.conf')]);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await waitForPort(port, 20_000, child);
  } catch (err) {
    throw new Error(`Squid did not start: ${(err as Error).message}\n${stderr}`);
  }
  return child;
}
