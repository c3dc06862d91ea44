// Moatless for the Gateway benchmark: `moatless serve` as its own process (1 process, as Squid's 1
// worker), SQLite, the gateway log on (to the store and to stdout, which goes to a file), traffic
// evaluated as anonymous (Squid is run without authentication too), one Allow rule naming the
// loopback origin (egress safety refuses loopback otherwise) and one Do Not Inspect rule for
// clients from 127.0.0.2. MOATLESS_BENCH_PROF=<dir> runs it under --cpu-prof.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { freePort } from '../../test/harness/ports.ts';
import { startNode, waitForPort } from '../lib/procs.ts';

export interface MoatlessGateway {
  port: number;
  child: ChildProcess;
  caPem: string;
  stop(): Promise<void>;
}

function yaml(dir: string, authPort: number, gwPort: number, extraCaFile: string): string {
  return `server:
  listeners: [{ address: "127.0.0.1:${authPort}" }]
  authUrl: "http://auth.localtest.me:${authPort}"
  shutdownGrace: 1s
storage: { kind: sqlite, path: "${join(dir, 'db.sqlite')}" }
gateway:
  listener: { address: "127.0.0.1:${gwPort}" }
  unidentified: anonymous
  extraCaFile: "${extraCaFile}"
  rules:
    - name: Bench clients that are not inspected
      action: doNotInspect
      when: { sourceIp: { in: [127.0.0.2/32] } }
    - name: The loopback bench origin
      action: allow
      when: { destinationIp: { in: [127.0.0.1/32] } }
`;
}

function getText(port: number, path: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${res.statusCode} ${body.slice(0, 200)}`))));
    }).on('error', reject).end();
  });
}

export async function startMoatlessGateway(dir: string, originCaFile: string): Promise<MoatlessGateway> {
  const authPort = await freePort();
  const gwPort = await freePort();
  const config = join(dir, 'moatless.yaml');
  writeFileSync(config, yaml(dir, authPort, gwPort, originCaFile));
  const prof = process.env.MOATLESS_BENCH_PROF;
  const fd = openSync(join(dir, 'gateway.log'), 'a');
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const child = startNode(main, ['serve', '--config', config, '--no-watch'], {}, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [], fd);
  closeSync(fd);
  await waitForPort(gwPort, 60_000, child);
  const caPem = await getText(authPort, '/gateway/ca.crt', `auth.localtest.me:${authPort}`);
  return {
    port: gwPort, child, caPem,
    async stop() {
      if (child.pid === undefined || child.exitCode !== null) return;
      // SIGTERM: a graceful stop writes the CPU profile when profiling.
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    },
  };
}
