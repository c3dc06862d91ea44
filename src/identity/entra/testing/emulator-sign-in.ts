// Test support: drives a full sign-in through the Entra adapter against the emulator's HTML forms
// (password, second factor, CA block page), and host-mapping fetches for national-cloud tests.
// Must not be imported by production code.
import { entraIdpSchema, type EntraIdpConfig } from '../../../config/schema/identity.ts';
import { TestBrowser, type Page } from '../../../dev/entra/testing/browser.ts';
import type { EntraEmulator } from '../../../dev/entra/index.ts';
import type { SignInResult } from '../../identity.ts';
import type { IdentityProviderAdapter } from '../../provider.ts';

export const FIXTURE = new URL('../../../../dev/entra-fixture.yaml', import.meta.url).pathname;
export const CALLBACK = 'http://127.0.0.1:9/oauth2/callback';
export const CLIENT_ID = '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34';
export const SECRET = 'dev-secret-change-me';
export const SECRET_CREDENTIAL = { kind: 'secret', secret: SECRET } as const;

/** An Entra IdP config for the demo fixture; `authorityUrl`/`graphUrl` point at the emulator unless a cloud is tested. */
export function entraConfig(emulator: EntraEmulator, overrides: Partial<Record<keyof EntraIdpConfig, unknown>> = {}): EntraIdpConfig {
  return entraIdpSchema.parse({
    id: 'entra', type: 'entra', tenantId: emulator.tenantId, clientId: CLIENT_ID, clientSecret: SECRET,
    authorityUrl: emulator.url, graphUrl: emulator.graphUrl, scopes: ['openid', 'profile', 'email'], ...overrides,
  });
}

/**
 * A fetch that sends requests for `hosts` (https origin → emulator) to the emulator's loopback
 * address and refuses every other host, so a wrong host fails the test loudly.
 */
export function hostMappedFetch(listenUrl: string, hosts: readonly string[]): typeof fetch & { seen: Set<string> } {
  const seen = new Set<string>();
  const allowed = new Set(hosts.map((h) => h.toLowerCase()));
  const target = new URL(listenUrl);
  const mapped = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const local = url.host === target.host;
    if (!local && !allowed.has(url.host)) throw new TypeError(`test fetch refused host ${url.host}`);
    seen.add(url.host);
    const next = new URL(url.pathname + url.search, target);
    if (input instanceof Request) return fetch(new Request(next, input), init);
    return fetch(next, init);
  }) as typeof fetch & { seen: Set<string> };
  mapped.seen = seen;
  return mapped;
}

export interface SignInOptions {
  username: string;
  password: string;
  acrs?: string[];
  fetch?: typeof fetch;
  /** Approve the second-factor page when it appears (default true). */
  approveMfa?: boolean;
}

async function pageOf(p: Page, browser: TestBrowser): Promise<Page> {
  if (p.kind !== 'page') return p;
  if (/action="[^"]*\/return"/.test(p.html)) return browser.submit(p, '/return'); // CA block → access_denied
  return p;
}

/** Begin → emulator forms → complete, as a browser would. Throws what complete() throws. */
export async function signInThroughEmulator(provider: IdentityProviderAdapter, o: SignInOptions): Promise<SignInResult> {
  const { url, tx } = await provider.begin({ redirectUri: CALLBACK, ...(o.acrs ? { acrs: o.acrs } : {}), prompt: 'login' });
  const browser = new TestBrowser(CALLBACK, o.fetch ?? fetch);
  let page = await browser.open(url);
  if (page.kind === 'page' && /type="password"/.test(page.html)) page = await pageOf(await browser.submit(page, '/login', { username: o.username, password: o.password }), browser);
  if (page.kind === 'page' && /action="[^"]*\/mfa"/.test(page.html) && o.approveMfa !== false) page = await pageOf(await browser.submit(page, '/mfa', { approve: '1' }), browser);
  if (page.kind !== 'callback') throw new Error(`sign-in did not reach the callback: ${page.status} ${page.html.slice(0, 300)}`);
  return provider.complete(page.url, tx, CALLBACK);
}
