// `npm run bench`: the Access benchmarks, printed as ratios against references measured in the same
// run (reference/perf-baseline.md). Exits 0 whether or not goals are met; non-zero only when the
// setup is broken (a tool missing, a server not starting, a configuration answering non-200).
// Flags: --quick (shorter runs, 10,000 sessions: for checking the harness, not for numbers);
// --floor (also a minimal Node proxy, bench/access/floor-proxy.ts, with each upstream client: what
// Node itself allows against nginx, and how far Moatless is from it).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { freePort } from '../test/harness/ports.ts';
import { backendConfig, proxyConfig, startNginx } from './lib/nginx.ts';
import { installCleanup, killAll, rssOf, startNode, waitForPort } from './lib/procs.ts';
import { fmtInt } from './lib/table.ts';
import { ensureTools } from './lib/tools.ts';
import { timeDecisions } from './access/decision-timing.ts';
import { appHost } from './access/moatless-config.ts';
import { startMoatlessChild, type MoatlessChild } from './access/moatless-proc.ts';
import { measureOverage } from './access/overage.ts';
import {
  abLine, accessGoals, decisionGoals, decisionTable, floorLines, goalsTable, leftLines, logCostLine, NAMES, overageGoal, rssTable, sideBySideTable, steadyRssLine, throughputTable, type SteadyRss,
} from './access/report.ts';
import { measureRss } from './access/rss.ts';
import { countLines, preflight, selfSignedCert } from './access/setup.ts';
import { measureAll, type Target, type Timing } from './access/throughput.ts';
import { measureLogCost, type LogCost } from './access/log-cost.ts';
import { runWrk } from './lib/wrk.ts';
import { settleYoungGeneration, youngGenerationCeiling } from './access/young-gen.ts';

const quick = process.argv.includes('--quick');
const floor = process.argv.includes('--floor');
/** --baseline=<checkout>: also run that checkout's Moatless (log on) in the same run, for a same-run A/B. */
const baseline = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
/** --child-flags=<flags>: also run Moatless (log on) under these Node flags, space-separated (e.g. --max-semi-space-size=16). */
const childFlags = process.argv.find((a) => a.startsWith('--child-flags='))?.slice('--child-flags='.length).split(' ').filter(Boolean);
/** Only the throughput section: for iterating on the request path (profiling with MOATLESS_BENCH_PROF). */
const throughputOnly = process.argv.includes('--throughput-only');
/** --only=<regexp>: measure only the matching configurations (with --throughput-only; for A/B checks). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
/** --rounds=<n>: more interleaved rounds for a tighter median. */
const roundsArg = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 'NaN');
const timing: Timing = quick
  ? { firstWarmS: 2, warmS: 1, maxWarmS: 3, settlePct: 10, c50S: 2, c1S: 1, rounds: 1 }
  : { firstWarmS: 6, warmS: 2, maxWarmS: 20, settlePct: 10, c50S: 4, c1S: 3, rounds: 3 };
if (Number.isInteger(roundsArg) && roundsArg > 0) timing.rounds = roundsArg;
/** --no-settle: the schedule before session 7 (1 s warm-up per window, no quiet check), to compare round spreads. */
if (process.argv.includes('--no-settle')) Object.assign(timing, { settle: false, warmS: 1 });
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
  const tls = selfSignedCert(tmp);

  // References: the static backend; nginx proxy_pass with 1 worker (log on, log off, TLS) and with
  // 2 workers (log on), and auth_request in front of a jose verifier.
  const ports = {
    backend: await freePort(), proxy: await freePort(), proxyNoLog: await freePort(), proxyTls: await freePort(),
    proxy2: await freePort(), authRequest: await freePort(), auth: await freePort(), mTls: await freePort(),
  };
  await startNginx(tools.nginx, join(tmp, 'backend'), backendConfig(join(tmp, 'backend'), ports.backend), ports.backend);
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwt = await new SignJWT({ sub: 'u-1', email: 'alice@contoso.com' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('gw').setAudience('gw').setExpirationTime('2h').sign(privateKey);
  const authSvc = startNode(new URL('./access/auth-service.ts', import.meta.url).pathname, [], { AUTH_PORT: String(ports.auth), WORKERS: '2', AUTH_JWK: JSON.stringify(await exportJWK(publicKey)) });
  await waitForPort(ports.auth, 10_000, authSvc);
  const p1 = join(tmp, 'proxy1w');
  const ngx1 = await startNginx(tools.nginx, p1, proxyConfig(p1, 1, { backend: ports.backend, proxy: ports.proxy, proxyNoLog: ports.proxyNoLog, proxyTls: ports.proxyTls }, tls), ports.proxy);
  const p2 = join(tmp, 'proxy2w');
  const ngx2 = await startNginx(tools.nginx, p2, proxyConfig(p2, 2, { backend: ports.backend, proxy: ports.proxy2, authRequest: ports.authRequest, auth: ports.auth }), ports.proxy2);
  const upstream = `http://127.0.0.1:${ports.backend}`;

  log('starting Moatless: 10 apps log on (HTTP; HTTPS in a process of its own), log off, 10,000 apps, 2 workers');
  const logFile = (n: string) => join(tmp, `moatless-${n}.log`);
  const m1 = await startMoatlessChild({ apps: 10, upstream, logFile: logFile('1w') });
  const wanted = (name: string) => !only || new RegExp(only).test(name);
  // HTTPS is served by its own process: HTTPS traffic in the log-on process made its plain-HTTP rows
  // ~25% dearer in CPU per request (paired lab runs), which the log on/off pair then read as log cost.
  const mTls = wanted(NAMES.mTls) ? await startMoatlessChild({ apps: 10, upstream, tls: { port: ports.mTls, ...tls }, logFile: logFile('1w-tls') }) : null;
  // With --only, the children no selected row needs are not started (m1 is: the RSS line reads it).
  const m1off = wanted(NAMES.m1off) ? await startMoatlessChild({ apps: 10, upstream, accessLog: false, logFile: logFile('1w-off') }) : null;
  const m10k = wanted(NAMES.m10k) ? await startMoatlessChild({ apps: 10_000, upstream, logFile: logFile('10k') }) : null;
  // server.workers: 2 — the cluster mode (src/cli/cluster.ts), on the same 2-vCPU box as wrk and nginx.
  const m2 = wanted(NAMES.m2) ? await startMoatlessChild({ apps: 10, upstream, workers: 2, logFile: logFile('2w') }) : null;
  const baseRow = `moatless ${baseline}, log on`, flagsRow = `moatless ${childFlags?.join(' ')}, log on`;
  const mBase = baseline ? await startMoatlessChild({ apps: 10, upstream, logFile: logFile('baseline'), childScript: join(baseline, 'bench/access/moatless-child.ts') }) : null;
  // With the TLS row selected, the baseline's TLS process too: an HTTPS A/B in the same run.
  const baseTlsRow = `moatless ${baseline} TLS, log on`;
  const baseTlsPort = await freePort();
  const mBaseTls = baseline && mTls ? await startMoatlessChild({ apps: 10, upstream, tls: { port: baseTlsPort, ...tls }, logFile: logFile('baseline-tls'), childScript: join(baseline, 'bench/access/moatless-child.ts') }) : null;
  const mFlags = childFlags ? await startMoatlessChild({ apps: 10, upstream, logFile: logFile('flags'), nodeFlags: childFlags }) : null;
  // The floor: node:http + the upstream client and nothing else, one process like m1 (--floor).
  // The TLS floor (bare node:https + undici, same certificate) is a process of its own, like Moatless's.
  // The transport floor (lean): Moatless's own src/http1 server side and upstream client, no Access logic.
  const floorKinds = [{ client: 'undici', tls: false }, { client: 'lean', tls: false }, { client: 'undici', tls: true }, { client: 'lean', tls: true }] as const;
  const floors = floor ? await Promise.all(floorKinds.map(async ({ client, tls: withTls }) => {
    const port = await freePort();
    const tlsPort = withTls ? await freePort() : 0;
    const tlsEnv = tlsPort ? { FLOOR_TLS_PORT: String(tlsPort), FLOOR_TLS_CERT: tls.cert, FLOOR_TLS_KEY: tls.key } : {};
    const prof = process.env.MOATLESS_BENCH_PROF;
    const script = client === 'lean' ? './access/lean-floor-proxy.ts' : './access/floor-proxy.ts';
    const child = startNode(new URL(script, import.meta.url).pathname, [], { FLOOR_PORT: String(port), FLOOR_UPSTREAM: upstream, FLOOR_CLIENT: client, ...tlsEnv }, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []);
    await waitForPort(port, 10_000, child);
    if (tlsPort) await waitForPort(tlsPort, 10_000, child);
    return { client, port, tlsPort, child };
  })) : [];
  const secret = async (m: MoatlessChild, app: number) => (await m.ask({ cmd: 'sessions', count: 1, app, firstUser: 1 }, 'sessions')).secrets[0]!;
  const s1 = await secret(m1, 5);

  // Capitalised header names: wrk only drops its own Host header when ours is spelled "Host".
  const at = (port: number, scheme = 'http') => `${scheme}://127.0.0.1:${port}/`;
  const ref = { Cookie: `session=${jwt}` };
  const app = (i: number, s: string, cookie = COOKIE) => ({ Host: appHost(i), Cookie: `${cookie}=${s}` });
  // One-process Moatless rows regrow their young generation before each window (./access/throughput.ts).
  const ceiling = youngGenerationCeiling();
  const young = (m: MoatlessChild, max = ceiling) => ({ youngGen: { ceiling: max, bytes: async () => (await m.ask({ cmd: 'stats' }, 'stats')).spaces['new'] ?? 0 } });
  const rssAfter: number[] = []; // after the warm-up, then right after each round's window of the log-on row
  const all: Target[] = [
    { name: NAMES.direct, url: at(ports.backend), headers: ref },
    { name: NAMES.ngx1, url: at(ports.proxy), headers: ref, pgid: ngx1.child.pid },
    { name: NAMES.ngx1off, url: at(ports.proxyNoLog), headers: ref, pgid: ngx1.child.pid },
    { name: NAMES.m1, url: at(m1.port), headers: app(5, s1), pgid: m1.child.pid, ...young(m1), afterWindow: async (round: number) => void (rssAfter[round] = await rssOf(m1.pid)) },
    ...(m1off ? [{ name: NAMES.m1off, url: at(m1off.port), headers: app(5, await secret(m1off, 5)), pgid: m1off.child.pid, ...young(m1off) }] : []),
    ...(mBase ? [{ name: baseRow, url: at(mBase.port), headers: app(5, await secret(mBase, 5)), pgid: mBase.child.pid, ...young(mBase) }] : []),
    ...(mFlags ? [{ name: flagsRow, url: at(mFlags.port), headers: app(5, await secret(mFlags, 5)), pgid: mFlags.child.pid, ...young(mFlags, youngGenerationCeiling(childFlags)) }] : []),
    ...floors.filter((f) => !f.tlsPort).map((f) => ({ name: f.client === 'undici' ? NAMES.floorUndici : NAMES.floorLean, url: at(f.port), headers: app(5, s1), pgid: f.child.pid })),
    { name: NAMES.ngxTls, url: at(ports.proxyTls, 'https'), headers: ref, pgid: ngx1.child.pid },
    // Over HTTPS the session cookie carries the __Host- prefix (runtime.ts sessionCookieName).
    ...(mTls ? [{ name: NAMES.mTls, url: at(ports.mTls, 'https'), headers: app(5, await secret(mTls, 5), `__Host-${COOKIE}`), pgid: mTls.child.pid, ...young(mTls) }] : []),
    ...(mBaseTls ? [{ name: baseTlsRow, url: at(baseTlsPort, 'https'), headers: app(5, await secret(mBaseTls, 5), `__Host-${COOKIE}`), pgid: mBaseTls.child.pid, ...young(mBaseTls) }] : []),
    ...floors.filter((f) => f.tlsPort).map((f) => ({ name: f.client === 'undici' ? NAMES.floorTls : NAMES.floorLeanTls, url: at(f.tlsPort, 'https'), headers: app(5, s1, `__Host-${COOKIE}`), pgid: f.child.pid })),
    { name: NAMES.ngx2, url: at(ports.proxy2), headers: ref, c1: false, pgid: ngx2.child.pid },
    ...(m2 ? [{ name: NAMES.m2, url: at(m2.port), headers: app(5, await secret(m2, 5)), c1: false, pgid: m2.child.pid }] : []),
    { name: NAMES.authreq, url: at(ports.authRequest), headers: ref, c1: false },
    ...(m10k ? [{ name: NAMES.m10k, url: at(m10k.port), headers: app(5_000, await secret(m10k, 5_000)), c1: false, pgid: m10k.child.pid, ...young(m10k) }] : []),
  ];
  // The A/B rows (--baseline, --child-flags) are measured whatever --only selects.
  const abRows = new Set([baseRow, flagsRow, baseTlsRow]);
  const targets = all.filter((t) => wanted(t.name) || abRows.has(t.name));
  await preflight(targets);

  const n = targets.length;
  log(`throughput: ${n} configurations × ${timing.rounds} rounds, interleaved (wrk -t1, c50 ${timing.c50S}s, c1 ${timing.c1S}s)`);
  // The log-on process's young generation is grown to V8's ceiling before its RSS is first read
  // (./access/young-gen.ts): its doubling mid-run was the "RSS end / start" growth, not a leak.
  const m1Target = targets.find((t) => t.name === NAMES.m1);
  let youngGen: SteadyRss['youngGen'];
  const summaries = await measureAll(tools.wrk, targets, timing, log, async (phase) => {
    if (phase === 0 && m1Target) { // not when --only leaves its plain-HTTP row out (a TLS-only profile)
      youngGen = await settleYoungGeneration(m1, (seconds) => runWrk(tools.wrk, { url: m1Target.url, headers: m1Target.headers, connections: 50, seconds }), ceiling, quick ? 10 : 90);
      log(`  ${NAMES.m1}: young generation ${(youngGen.newSpaceBytes / 2 ** 20).toFixed(0)} of ${(ceiling / 2 ** 20).toFixed(0)} MB after ${youngGen.extraS}s more warm-up`);
      // The A/B rows get the same extra warm-up: a JIT warmer on one side only would bias the pair.
      for (const t of targets.filter((x) => abRows.has(x.name))) {
        if (youngGen.extraS > 0) await runWrk(tools.wrk, { url: t.url, headers: t.headers, connections: 50, seconds: youngGen.extraS });
      }
    }
    if (phase === 0) rssAfter[0] = await rssOf(m1.pid);
  });
  if (summaries.some((s) => s.non2xx > 0)) throw new Error(`non-2xx responses or timeouts during measurement:\n${throughputTable(summaries)}`);
  // The log's cost on its own: the on and off processes alternated in short windows (./access/log-cost.ts).
  // Not with --only: that output has no goals, so the pairs would be measured for nothing.
  const offTarget = targets.find((t) => t.name === NAMES.m1off);
  let logCost: LogCost | undefined;
  if (!only && m1Target?.pgid && offTarget?.pgid) {
    const pairs = quick ? 2 : 8;
    log(`access log cost: log on and off alternated, ${pairs} pairs of ${quick ? 1 : 3}s windows`);
    logCost = await measureLogCost(tools.wrk, { ...m1Target, pgid: m1Target.pgid }, { ...offTarget, pgid: offTarget.pgid }, pairs, quick ? 1 : 3, log);
  }
  const logLines = { moatless: countLines(logFile('1w')), nginx: countLines(join(p1, 'access.log')) };
  await Promise.all([m1, mTls, m1off, m10k, m2, mBase, mBaseTls, mFlags].map((m) => m?.stop()));
  await Promise.all(floors.map(({ child }) => new Promise((r) => {
    child.once('exit', r);
    child.disconnect(); // exits normally: its CPU profile, if any, is written
  })));
  const memory: SteadyRss = { afterBytes: rssAfter, ...(youngGen ? { youngGen } : {}) };
  if (throughputOnly || only) {
    const ab = [baseRow, flagsRow].map((r) => abLine(summaries, r)).join('') + abLine(summaries, baseTlsRow, NAMES.mTls);
    if (only) return void process.stdout.write(`\n${throughputTable(summaries)}\n${floorLines(summaries)}${ab}`);
    const goals = accessGoals(summaries, memory, logCost);
    process.stdout.write(`\n${throughputTable(summaries)}\n\n${sideBySideTable(summaries)}\n${logCost ? `${logCostLine(logCost)}\n` : ''}${floorLines(summaries)}\n${goalsTable(goals)}\n${leftLines(goals)}`);
    return;
  }

  log('decision timing in-process: 10 vs 10,000 apps');
  // Both tables built first, then timed alternately: medians of 5 rounds (./access/decision-timing.ts).
  const decisionMedians = timeDecisions([10, 10_000]);

  log(`memory: ${SESSIONS.toLocaleString('en-US')} live sessions`);
  const rss = await measureRss(upstream, COOKIE, SESSIONS, log);

  log('Entra overage: sign-ins through the emulator');
  const overage = await measureOverage();

  const goals = [...accessGoals(summaries, memory, logCost), ...decisionGoals(summaries, decisionMedians), overageGoal(overage)];
  const out = [
    '',
    `== Access throughput (loopback, ${cpus().length} CPUs, medians of ${timing.rounds} interleaved rounds after a ${timing.firstWarmS}s warm-up each; 1 worker unless the row says 2w) ==`,
    throughputTable(summaries),
    '',
    '== Access log on vs off, same run (c50) ==',
    sideBySideTable(summaries),
    ...(logCost ? [logCostLine(logCost)] : []),
    floorLines(summaries),
    `access-log lines written during the run: Moatless ${fmtInt(logLines.moatless)}, nginx ${fmtInt(logLines.nginx)}`,
    '',
    '== Memory under steady load (Moatless 1 worker, log on: RSS from /proc) ==',
    steadyRssLine(memory),
    '',
    '== Per-request decision (host routing + policy evaluation, in-process, median of 5 alternating rounds) ==',
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
    leftLines(goals),
  ].join('\n');
  process.stdout.write(out);

  const dir = new URL('./out/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ started: started.toISOString(), quick, cpus: cpus().length, node: process.version, timing, throughput: summaries, memory, logCost, decisions: decisionMedians, rss, overage, goals }, null, 2));
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
