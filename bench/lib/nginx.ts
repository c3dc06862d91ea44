// nginx instances for the benchmark, each with its own generated config in a temp prefix: the 1 KB
// static backend, and the reference proxies (proxy_pass with its access log on and off, over HTTP
// and TLS, and auth_request). 127.0.0.1 only, logs in the temp dir. The configs follow
// reference/perf-baseline.md, including its pitfall: every location that sets a header repeats
// `proxy_set_header Connection ""` (else keepalive is lost).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startProgram, waitForPort } from './procs.ts';

export interface NginxInstance {
  prefix: string;
  child: ChildProcess;
}

export function common(prefix: string, workers: number): string {
  // Temp paths default to /var/lib/nginx, outside our prefix: point them all at the temp dir.
  const t = (n: string) => join(prefix, n);
  return `worker_processes ${workers};
error_log ${t('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${t('body')}; proxy_temp_path ${t('proxy')}; fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')}; scgi_temp_path ${t('scgi')};
  keepalive_requests 1000000;
`;
}

export function backendConfig(prefix: string, port: number): string {
  return `${common(prefix, 1)}  server {
    listen 127.0.0.1:${port};
    location / { root ${join(prefix, 'www')}; try_files /1k.txt =404; }
  }
}
`;
}

export interface ProxyPorts {
  backend: number;
  /** proxy_pass with the access log on (buffered, as production runs it) … */
  proxy: number;
  /** … and off; */
  proxyNoLog?: number;
  /** TLS terminated by nginx, then proxy_pass, access log on; */
  proxyTls?: number;
  /** auth_request to the jose verifier on `auth`. */
  authRequest?: number;
  auth?: number;
}

/** `workers` nginx workers proxying to the backend; `tls` is the certificate Moatless serves too. */
export function proxyConfig(prefix: string, workers: number, ports: ProxyPorts, tls?: { cert: string; key: string }): string {
  // The access log production runs: the default `combined` format, written through a buffer.
  const log = `access_log ${join(prefix, 'access.log')} combined buffer=64k flush=1s;`;
  const servers = [`  server { listen 127.0.0.1:${ports.proxy}; ${log} location / { proxy_pass http://app; } }`];
  if (ports.proxyNoLog) servers.push(`  server { listen 127.0.0.1:${ports.proxyNoLog}; location / { proxy_pass http://app; } }`);
  if (ports.proxyTls && tls) {
    // TLS 1.3 like Node's default: nginx before 1.23.4 (Debian 12 ships 1.22) otherwise settles on
    // TLS 1.2, and the two terminators would not be running the same protocol.
    servers.push(`  server { listen 127.0.0.1:${ports.proxyTls} ssl; ssl_certificate ${tls.cert}; ssl_certificate_key ${tls.key}; ssl_protocols TLSv1.2 TLSv1.3;
    ${log} location / { proxy_pass http://app; } }`);
  }
  if (ports.authRequest && ports.auth) {
    servers.push(`  upstream auth { server 127.0.0.1:${ports.auth}; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${ports.authRequest}; ${log}
    location = /_auth {
      internal; proxy_pass http://auth/verify; proxy_pass_request_body off;
      proxy_set_header Content-Length ""; proxy_set_header X-Original-URI $request_uri; proxy_set_header Connection "";
    }
    location / {
      auth_request /_auth; auth_request_set $user $upstream_http_x_auth_user;
      proxy_set_header X-Auth-User $user; proxy_set_header Connection ""; proxy_pass http://app;
    }
  }`);
  }
  return `${common(prefix, workers)}  upstream app  { server 127.0.0.1:${ports.backend}; keepalive 128; keepalive_requests 1000000; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
${servers.join('\n')}
}
`;
}

/** Starts nginx in the foreground on a config written into `prefix`; resolves when `port` accepts. */
export async function startNginx(nginx: string, prefix: string, config: string, port: number): Promise<NginxInstance> {
  mkdirSync(join(prefix, 'www'), { recursive: true });
  mkdirSync(join(prefix, 'logs'), { recursive: true }); // nginx opens <prefix>/logs/error.log before reading the config
  writeFileSync(join(prefix, 'www', '1k.txt'), 'x'.repeat(1023) + '\n');
  writeFileSync(join(prefix, 'nginx.conf'), config);
  const child = startProgram(nginx, ['-p', prefix, '-c', 'nginx.conf', '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`]);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await waitForPort(port, 10_000, child);
  } catch (err) {
    throw new Error(`nginx did not start (${prefix}): ${(err as Error).message}\n${stderr}`);
  }
  return { prefix, child };
}
