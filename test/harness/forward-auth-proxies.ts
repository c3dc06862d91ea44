// Real nginx and Caddy in front of a forwardAuth app, for scenario tests: the copy-paste configs of
// deploy/forward-auth/ (the ones docs/forward-auth.md shows) with their example addresses swapped
// for loopback ports, run as child processes with everything in a temp dir (no systemd, no root).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.ts';

export const FORWARD_AUTH_DIR = resolve(import.meta.dirname, '../../deploy/forward-auth');

export interface ProxyTarget {
  /** The app's host name in place of app.example.com. */
  host: string;
  moatlessPort: number;
  upstreamPort: number;
}

export interface RunningProxy {
  port: number;
  /** The rendered config, for failure messages. */
  config: string;
  output(): string;
  stop(): Promise<void>;
}

export function nginxBinary(): string | null {
  return ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ?? null;
}

export function caddyBinary(): string | null {
  return ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => existsSync(p)) ?? null;
}

/** Replaces each example value, failing loudly if the documented config no longer has it. */
function render(text: string, swaps: [string, string][]): string {
  for (const [from, to] of swaps) {
    if (!text.includes(from)) throw new Error(`deploy/forward-auth config no longer contains "${from}"`);
    text = text.replaceAll(from, to);
  }
  return text;
}

const NGINX_TEMP = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

export async function startNginx(t: ProxyTarget): Promise<RunningProxy> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed (apt-get install nginx)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'moatless-fa-nginx-'));
  const server = render(readFileSync(join(FORWARD_AUTH_DIR, 'nginx.conf'), 'utf8'), [
    ['10.0.0.2:8080', `127.0.0.1:${t.moatlessPort}`], ['10.0.0.5:3000', `127.0.0.1:${t.upstreamPort}`],
    ['listen 80;', `listen 127.0.0.1:${port};`], ['server_name app.example.com;', `server_name ${t.host};`],
  ]);
  const config = `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
${NGINX_TEMP.map((n) => `  ${n}_temp_path ${dir}/${n};`).join('\n')}
${server}
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  return run(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], port, dir, config, {});
}

export async function startCaddy(t: ProxyTarget): Promise<RunningProxy> {
  const bin = caddyBinary();
  if (!bin) throw new Error('caddy is not installed (apt-get install caddy)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'moatless-fa-caddy-'));
  const site = render(readFileSync(join(FORWARD_AUTH_DIR, 'Caddyfile'), 'utf8'), [
    ['10.0.0.2:8080', `127.0.0.1:${t.moatlessPort}`], ['10.0.0.5:3000', `127.0.0.1:${t.upstreamPort}`],
    ['app.example.com {', `http://${t.host}:${port} {`],
  ]);
  // No admin endpoint (its fixed port would clash between runs), no certificates; its saved state goes to the temp dir.
  const config = `{\n\tadmin off\n\tauto_https off\n}\n\n${site}`;
  writeFileSync(join(dir, 'Caddyfile'), config);
  const env = { HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
  return run(bin, ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], port, dir, config, env);
}

async function run(bin: string, args: string[], port: number, dir: string, config: string, env: Record<string, string>): Promise<RunningProxy> {
  const proc: ChildProcess = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((r) => {
        proc.once('exit', () => r());
        proc.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) break;
    if (await listening(port)) return { port, config, output: () => out, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`${bin} did not start on ${port}:\n${out}\n--- config ---\n${config}`);
}

function listening(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); r(true); });
    s.once('error', () => r(false));
  });
}
