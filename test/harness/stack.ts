// Boots the whole system for a scenario test: the Entra emulator, two fake upstream apps and a real
// `moatless serve` (through the composition root) on SQLite in a temp dir or on a PostgreSQL schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { loadConfigObject, type ResolvedConfig } from '../../src/config/load.ts';
import { startMoatless, type MoatlessProcess, type ComposeOptions } from '../../src/cli/compose.ts';
import { startEntraEmulator, type EntraEmulator } from '../../src/dev/entra/index.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { TestBrowser } from './http-client.ts';
import { TestBrowser as IdpBrowser } from '../../src/dev/entra/testing/browser.ts';
import { reservePort } from './ports.ts';

export const FIXTURE = resolve(import.meta.dirname, '../../dev/entra-fixture.yaml');
export const TENANT = '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41';
export const CLIENT_ID = '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34';

export interface Stack {
  port: number;
  authUrl: string;
  wikiUrl: string;
  payrollUrl: string;
  emulator: EntraEmulator;
  wiki: FakeUpstream;
  payroll: FakeUpstream;
  moatless: MoatlessProcess;
  config: ResolvedConfig;
  browser(): TestBrowser;
  close(): Promise<void>;
}

export interface StackOptions {
  storage?: { kind: 'sqlite' } | { kind: 'postgres'; url: string; schema: string };
  extra?: Record<string, unknown>;
  apps?: (wiki: string, payroll: string) => unknown[];
  compose?: ComposeOptions;
  emulator?: EntraEmulator;
  /** A port reserved beforehand (when the emulator must know the callback URL first). */
  port?: number;
  /** server.trustedProxies */
  trusted?: string[];
}

export function defaultApps(wiki: string, payroll: string): unknown[] {
  return [
    { id: 'wiki', name: 'Wiki', hosts: ['wiki.localtest.me'], upstream: wiki, identityHeaders: { email: 'x-remote-user', groups: 'x-remote-groups' }, policies: [{ name: 'staff', action: 'allow', include: [{ group: ['Staff', 'a1000000-0000-4000-8000-000000000002'] }] }] },
    { id: 'payroll', name: 'Payroll', hosts: ['payroll.localtest.me'], upstream: payroll, policies: [{ name: 'staff-c1', action: 'allow', include: [{ group: ['Staff', 'a1000000-0000-4000-8000-000000000002'] }], require: [{ authContext: 'c1' }] }] },
  ];
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  // Held until Moatless listens on it, so the listeners started meanwhile cannot be given it.
  const reserved = opts.port === undefined ? await reservePort() : null;
  const port = opts.port ?? reserved!.port;
  const authUrl = `http://auth.localtest.me:${port}`;
  const emulator = opts.emulator ?? await startEntraEmulator({ fixturePath: FIXTURE, port: 0, extraRedirectUris: [`${authUrl}/oauth2/callback`] });
  const [wiki, payroll] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  const dir = mkdtempSync(join(tmpdir(), 'moatless-stack-'));
  // A stack that fails to start closes what it started: a listener left open keeps the test file's
  // process alive after its tests, and the whole suite waits for it.
  const abandon = async (): Promise<void> => {
    await reserved?.release();
    await Promise.all([wiki.close(), payroll.close()]);
    if (!opts.emulator) await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const storage = opts.storage?.kind === 'postgres' ? { kind: 'postgres', url: opts.storage.url, schema: opts.storage.schema } : { kind: 'sqlite', path: join(dir, 'moatless.db') };
  const raw = {
    server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl, debugDenyReasons: true, shutdownGrace: '2s', trustedProxies: opts.trusted ?? [] },
    identityProviders: [{ id: 'entra', type: 'entra', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'dev-secret-change-me', authorityUrl: emulator.url, graphUrl: emulator.graphUrl, reauthOnGroupChange: true }],
    apps: (opts.apps ?? defaultApps)(wiki.url, payroll.url),
    storage,
    logging: { level: 'warn', accessLog: false },
    ...opts.extra,
  };
  const r = loadConfigObject(raw, { env: {}, sourcePath: join(dir, 'moatless.yaml') });
  if (!r.ok) {
    await abandon();
    throw new Error(`stack config invalid:\n${r.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  }
  let moatless: Awaited<ReturnType<typeof startMoatless>>;
  try {
    await reserved?.release();
    moatless = await startMoatless(r.config, { logger: pino({ level: 'silent' }), ...opts.compose });
  } catch (err) {
    await abandon();
    throw err;
  }
  const routes = new Map<string, number>([[`auth.localtest.me:${port}`, port], [`wiki.localtest.me:${port}`, port], [`payroll.localtest.me:${port}`, port]]);
  return {
    port, authUrl, emulator, wiki, payroll, moatless, config: r.config,
    wikiUrl: `http://wiki.localtest.me:${port}`,
    payrollUrl: `http://payroll.localtest.me:${port}`,
    browser: () => new TestBrowser(routes),
    async close() {
      await moatless.close();
      await Promise.all([wiki.close(), payroll.close()]);
      if (!opts.emulator) await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs a user in without the IdP round trip: a real global + app session in the real store. */
export async function sessionFor(stack: Stack, email: string, appId: string, over: { groups?: string[]; acrs?: string[] } = {}): Promise<string> {
  const identity = { userKey: `${TENANT}:${email}`, email, idp: 'entra', groups: over.groups ?? ['a1000000-0000-4000-8000-000000000002'], groupNames: over.groups ?? ['Staff'], amr: ['pwd'], acrs: over.acrs ?? [], claims: {} };
  const g = await stack.moatless.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  const a = await stack.moatless.sessions.createApp(g.record, appId, 3_600_000, identity, null, null);
  return a.secret;
}

/**
 * Opens the wiki, follows it to the emulator and signs `user` in there (password = the local part);
 * returns the IdP's callback URL (not yet opened) and the IdP-side browser, which keeps the IdP's cookies.
 */
export async function signInAtIdp(stack: Stack, b: TestBrowser, user: string): Promise<{ callback: URL; idp: IdpBrowser }> {
  const toStart = await b.get(`${stack.wikiUrl}/`);
  const toIdp = await b.get(String(toStart.headers.location));
  const idp = new IdpBrowser(`${stack.authUrl}/oauth2/callback`);
  const form = await idp.open(String(toIdp.headers.location));
  const done = await idp.submit(form, '/login', { username: user, password: user.split('@')[0]! });
  if (done.kind !== 'callback') throw new Error(`the emulator did not return to the callback: ${done.url.href}`);
  return { callback: done.url, idp };
}
