// `npm run bench`: the Access benchmarks, printed as ratios against references measured in the same
// run (reference/perf-baseline.md). Exits 0 whether or not goals are met; non-zero only when the
// setup is broken (a tool missing, a server not starting, a configuration answering non-200).
// Flags: --quick (shorter runs, 10,000 sessions: for checking the harness, not for numbers).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { freePort } from '../test/harness/ports.ts';
import { backendConfig, proxyConfig, startNginx } from './lib/nginx.ts';
import { installCleanup, killAll, startNode, waitForPort } from './lib/procs.ts';
import { ensureTools } from './lib/tools.ts';
import { timeDecisions } from './access/decision-timing.ts';
import { get } from './access/http-touch.ts';
import { appHost } from './access/moatless-config.ts';
import { startMoatlessChild } from './access/moatless-proc.ts';
import { measureOverage } from './access/overage.ts';
import { accessGoals, decisionTable, goalsTable, NAMES, overageGoal, rssTable, throughputTable } from './access/report.ts';
import { measureRss } from './access/rss.ts';
import { measureAll, type Target } from './access/throughput.ts';

const quick = process.argv.includes('--quick');
const timing = quick ? { warmS: 1, c50S: 2, c1S: 1, rounds: 1 } : { warmS: 1, c50S: 6, c1S: 4, rounds: 2 };
const SESSIONS = quick ? 10_000 : 100_000;
const COOKIE = 'moatless_session';
const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  installCleanup();
  const tools = ensureTools(log);
  const tmp = mkdtempSync(join(tmpdir(), 'moatless-bench-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user when we are root: let them read www/
  const started = new Date();
  log(`Moatless Access benchmarks (${quick ? 'quick' : 'full'}) on ${cpus().length} CPUs, Node ${process.version}`);

  // References: the static backend, nginx proxy_pass and auth_request in front of a jose verifier.
  const ports = { backend: await freePort(), proxy: await freePort(), authRequest: await freePort(), auth: await freePort() };
  await startNginx(tools.nginx, join(tmp, 'backend'), backendConfig(join(tmp, 'backend'), ports.backend), ports.backend);
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwt = await new SignJWT({ sub: 'u-1', email: 'alice@contoso.com' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('gw').setAudience('gw').setExpirationTime('2h').sign(privateKey);
  const authSvc = startNode(new URL('./access/auth-service.ts', import.meta.url).pathname, [], { AUTH_PORT: String(ports.auth), WORKERS: '2', AUTH_JWK: JSON.stringify(await exportJWK(publicKey)) });
  await waitForPort(ports.auth, 10_000, authSvc);
  await startNginx(tools.nginx, join(tmp, 'proxy'), proxyConfig(join(tmp, 'proxy'), ports), ports.proxy);
  const upstream = `http://127.0.0.1:${ports.backend}`;

  log('starting Moatless with 10 and with 10,000 apps, and with 10 apps on 2 workers');
  const m10 = await startMoatlessChild({ apps: 10, upstream });
  const m10k = await startMoatlessChild({ apps: 10_000, upstream });
  // server.workers: 2 — the cluster mode (src/cli/cluster.ts), on the same 2-vCPU box as wrk and nginx.
  const m10w2 = await startMoatlessChild({ apps: 10, upstream, workers: 2 });
  const s10 = (await m10.ask({ cmd: 'sessions', count: 1, app: 5, firstUser: 1 }, 'sessions')).secrets[0]!;
  const s10k = (await m10k.ask({ cmd: 'sessions', count: 1, app: 5_000, firstUser: 1 }, 'sessions')).secrets[0]!;
  const s10w2 = (await m10w2.ask({ cmd: 'sessions', count: 1, app: 5, firstUser: 1 }, 'sessions')).secrets[0]!;

  // Capitalised header names: wrk only drops its own Host header when ours is spelled "Host".
  const at = (port: number) => `http://127.0.0.1:${port}/`;
  const targets: Target[] = [
    { name: NAMES.direct, url: at(ports.backend), headers: { Cookie: `session=${jwt}` } },
    { name: NAMES.proxy, url: at(ports.proxy), headers: { Cookie: `session=${jwt}` } },
    { name: NAMES.authreq, url: at(ports.authRequest), headers: { Cookie: `session=${jwt}` } },
    { name: NAMES.m10, url: at(m10.port), headers: { Host: appHost(5), Cookie: `${COOKIE}=${s10}` } },
    { name: NAMES.m10k, url: at(m10k.port), headers: { Host: appHost(5_000), Cookie: `${COOKIE}=${s10k}` } },
    { name: NAMES.m10w2, url: at(m10w2.port), headers: { Host: appHost(5), Cookie: `${COOKIE}=${s10w2}` } },
  ];
  // Preflight: every configuration must serve the 1 KB page, or we would benchmark an error page.
  const agent = new Agent({ keepAlive: false });
  for (const t of targets) {
    const u = new URL(t.url);
    const r = await get(agent, Number(u.port), t.headers.Host ?? u.host, t.headers.Cookie ?? '');
    if (r.status !== 200 || r.bytes !== 1024) throw new Error(`preflight: ${t.name} answered ${r.status} with ${r.bytes} bytes (expected 200, 1024)`);
  }

  log(`throughput: ${targets.length} configurations × ${timing.rounds} rounds, interleaved (wrk -t1, c50 ${timing.c50S}s, c1 ${timing.c1S}s)`);
  const summaries = await measureAll(tools.wrk, targets, timing, log);
  if (summaries.some((s) => s.non2xx > 0)) throw new Error(`non-2xx responses or timeouts during measurement:\n${throughputTable(summaries)}`);
  m10.stop();
  m10k.stop();
  m10w2.stop();

  log('decision timing in-process: 10 vs 10,000 apps');
  const decisions = [timeDecisions(10), timeDecisions(10_000), timeDecisions(10), timeDecisions(10_000)];
  const decisionMedians = [10, 10_000].map((apps) => {
    const xs = decisions.filter((d) => d.apps === apps);
    const ns = Math.min(...xs.map((d) => d.nsPerDecision)); // best of 2: the least disturbed run
    return { apps, nsPerDecision: ns, decisionsPerSec: 1e9 / ns };
  });

  log(`memory: ${SESSIONS.toLocaleString('en-US')} live sessions`);
  const rss = await measureRss(upstream, COOKIE, SESSIONS, log);

  log('Entra overage: sign-ins through the emulator');
  const overage = await measureOverage();

  const goals = [...accessGoals(summaries, decisionMedians), overageGoal(overage)];
  const out = [
    '',
    `== Access throughput (loopback, ${cpus().length} CPUs, medians of ${timing.rounds} interleaved rounds; Moatless is 1 process unless the row says 2 workers) ==`,
    throughputTable(summaries),
    '',
    '== Per-request decision (host routing + policy evaluation, in-process, best of 2) ==',
    decisionTable(decisionMedians),
    '',
    '== Memory: one Moatless process with live sessions, all touched through the request path ==',
    rssTable(rss),
    '',
    `== Entra groups overage (${overage.user}, ${overage.signIns} sign-ins, emulator request counter) ==`,
    overage.graphPerSignIn ? `Graph requests per sign-in: ${overage.graphPerSignIn.join(', ')}; during ${overage.requestsAfterSignIn} requests after: ${overage.graphDuringRequests}` : `sign-in failed: ${overage.error}`,
    '',
    '== Goals (ratios measured in this run) ==',
    goalsTable(goals),
    '',
  ].join('\n');
  process.stdout.write(out);

  const dir = new URL('./out/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ started: started.toISOString(), quick, cpus: cpus().length, node: process.version, timing, throughput: summaries, decisions: decisionMedians, rss, overage, goals }, null, 2));
  log(`results: ${file}`);
}

main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (err: unknown) => {
    log(`benchmark setup failed: ${(err as Error).stack ?? String(err)}`);
    killAll();
    process.exit(1);
  },
);
