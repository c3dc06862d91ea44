// The forward-auth benchmark (Ship issue, item 4): nginx `auth_request` in front of a 1 KB backend,
// asking (a) Moatless's /.moatless/verify — sessions, policy, assertion and identity headers, access
// log on — or (b) the jose JWT verifier the Access bench uses (the oauth2-proxy pattern). Same run,
// same nginx, one worker each behind it, interleaved rounds, medians; prints ratios.
// Usage: node bench/forward-auth.ts [--quick]. Exits 0 whether or not Moatless is faster.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { freePort } from '../test/harness/ports.ts';
import { FA_HOST, nginxConfig } from './forward-auth/nginx.ts';
import { backendConfig, startNginx } from './lib/nginx.ts';
import { installCleanup, nextMessage, startNode, waitForPort } from './lib/procs.ts';
import { median } from './lib/stats.ts';
import { fmtInt, fmtMs, fmtRatio, table } from './lib/table.ts';
import { ensureTools } from './lib/tools.ts';
import { runWrk } from './lib/wrk.ts';
import type { WrkResult } from './lib/wrk-parse.ts';

const quick = process.argv.includes('--quick');
const T = quick ? { warmS: 1, c50S: 2, c1S: 1, rounds: 1 } : { warmS: 2, c50S: 6, c1S: 3, rounds: 3 };
const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  installCleanup();
  const tools = ensureTools(log);
  const tmp = mkdtempSync(join(tmpdir(), 'moatless-fa-bench-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  chmodSync(tmp, 0o755);
  log(`forward-auth benchmark on ${cpus().length} CPUs, Node ${process.version}`);
  const ports = { backend: await freePort(), jose: await freePort(), moatless: await freePort(), viaJose: await freePort(), viaMoatless: await freePort() };
  await startNginx(tools.nginx, join(tmp, 'backend'), backendConfig(join(tmp, 'backend'), ports.backend), ports.backend);

  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwt = await new SignJWT({ sub: 'u-1', email: 'alice@contoso.com' }).setProtectedHeader({ alg: 'ES256' })
    .setIssuer('gw').setAudience('gw').setExpirationTime('2h').sign(privateKey);
  const jose = startNode(new URL('./access/auth-service.ts', import.meta.url).pathname, [], { AUTH_PORT: String(ports.jose), WORKERS: '1', AUTH_JWK: JSON.stringify(await exportJWK(publicKey)) });
  await waitForPort(ports.jose, 10_000, jose);
  const moatless = startNode(new URL('./forward-auth/child.ts', import.meta.url).pathname, [JSON.stringify({ port: ports.moatless })]);
  const ready = await nextMessage<{ type: string; secret: string }>(moatless, 60_000, 'Moatless forward-auth child');
  await startNginx(tools.nginx, join(tmp, 'front'), nginxConfig(join(tmp, 'front'), ports), ports.viaMoatless);

  const targets: { name: string; url: string; headers: Record<string, string> }[] = [
    { name: 'nginx auth_request → jose verifier', url: `http://127.0.0.1:${ports.viaJose}/`, headers: { Cookie: `session=${jwt}` } },
    { name: 'nginx auth_request → Moatless verify', url: `http://127.0.0.1:${ports.viaMoatless}/`, headers: { Host: FA_HOST, Cookie: `moatless_session=${ready.secret}` } },
  ];
  const runs = new Map<string, WrkResult[]>();
  for (let round = 1; round <= T.rounds; round++) {
    for (const t of targets) {
      log(`  round ${round}/${T.rounds}: ${t.name}`);
      await runWrk(tools.wrk, { ...t, connections: 50, seconds: T.warmS });
      for (const c of [50, 1]) {
        const r = await runWrk(tools.wrk, { ...t, connections: c, seconds: c === 50 ? T.c50S : T.c1S });
        if (r.non2xx > 0) throw new Error(`${t.name}: ${r.non2xx} non-2xx answers (the preflight setup is wrong)`);
        runs.set(`${t.name}|${c}`, [...(runs.get(`${t.name}|${c}`) ?? []), r]);
      }
    }
  }
  const at = (name: string, c: number) => {
    const rs = runs.get(`${name}|${c}`) ?? [];
    return { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50Ms)), p99: median(rs.map((r) => r.p99Ms)) };
  };
  const ref = at(targets[0]!.name, 50);
  const rows = targets.map((t) => {
    const c50 = at(t.name, 50);
    const c1 = at(t.name, 1);
    return [t.name, fmtInt(c50.rps), fmtRatio(c50.rps / ref.rps), fmtMs(c50.p50), fmtMs(c50.p99), fmtMs(c1.p50)];
  });
  process.stdout.write(`\nForward-auth (nginx in front, 1 KB backend, one verifier worker each, medians of ${T.rounds})\n`);
  process.stdout.write(`${table(['configuration', 'req/s c50', 'vs jose', 'p50 c50 ms', 'p99 c50 ms', 'p50 c1 ms'], rows)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`forward-auth bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
