// What `moatless demo` says first: the URL to open, then who to sign in as and what each demo user
// shows. The users come from dev/entra-fixture.yaml (demo-banner.test.ts keeps the two in step).
// Must not: print anything that is not true of the shipped demo config and fixture.
import { resolve } from 'node:path';
import type { ResolvedConfig } from '../config/load.ts';
import { resolveRunAs } from '../isolation/run-as.ts';

const DEMO_FIXTURE = resolve(import.meta.dirname, '../../dev/entra-fixture.yaml');

/** A config that runs the emulator with the shipped demo tenant: its users are the ones below. */
export function usesDemoTenant(cfg: ResolvedConfig): boolean {
  return cfg.dev?.entra !== undefined && resolve(cfg.baseDir, cfg.dev.entra.fixture) === DEMO_FIXTURE;
}

export interface DemoUser {
  email: string;
  password: string;
  shows: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: 'alice@contoso.com', password: 'alice',
    shows: 'the wiki; payroll after an MFA step-up (Conditional Access, auth context c1)',
  },
  {
    email: 'bob@contoso.com', password: 'bob',
    shows: 'high risk in Entra ID Protection: the wiki in an isolated remote browser (once the risk sync ran); '
      + 'payroll refused by Conditional Access (device not compliant)',
  },
  {
    email: 'carol@contoso.com', password: 'carol',
    shows: 'the wiki with 7 groups (overage: read from Graph); payroll refused (no MFA)',
  },
  { email: 'dave@contoso.com', password: 'dave', shows: 'refused everywhere: disabled in Entra and deprovisioned over SCIM' },
  { email: 'erin@contoso.com', password: 'erin', shows: 'signs in, then denied by policy (Engineering, not Staff)' },
];

type AppHost = ResolvedConfig['apps'][number]['hosts'][number];

/** The browser URL of an app host under the first listener (`*.` shown as `any.`). */
export function hostUrl(cfg: ResolvedConfig, h: AppHost): string {
  const l = cfg.server.listeners[0];
  const port = l?.address.split(':').pop();
  const suffix = port === (l?.tls ? '443' : '80') ? '' : `:${port}`;
  const path = h.pathPrefix === '/' ? '/' : h.pathPrefix;
  return `${l?.tls ? 'https' : 'http'}://${h.host.replace('*.', 'any.')}${suffix}${path}`;
}

/** The demo's opening lines: the app to open first, the other apps, then the users table. */
export function demoBanner(cfg: ResolvedConfig): string[] {
  const [first, ...rest] = cfg.apps;
  if (!first) return [];
  const width = Math.max(...DEMO_USERS.map((u) => u.email.length));
  return [
    `Open ${hostUrl(cfg, first.hosts[0]!)} — the demo's ${first.name ?? first.id}.`
      + ' (*.localhost is this machine: no DNS needed.)',
    ...rest.map((a) => `Then ${hostUrl(cfg, a.hosts[0]!)} — ${a.name ?? a.id}.`),
    '',
    `  ${'user'.padEnd(width)}  password  what it shows`,
    ...DEMO_USERS.map((u) => `  ${u.email.padEnd(width)}  ${u.password.padEnd(8)}  ${u.shows}`),
    '',
    ...riskLines(cfg),
    ...isolationLines(cfg),
    ...dashboardLines(cfg),
  ];
}

/** Story 3 in the demo: what isolates whom, and what is missing for it to work here. */
function isolationLines(cfg: ResolvedConfig): string[] {
  if (!cfg.gateway || !cfg.risk || !cfg.isolation.enabled) return [];
  let missing: string | null = null;
  try {
    resolveRunAs(cfg.isolation.runAs);
  } catch (err) {
    missing = `  NOT READY: ${(err as Error).message} — run: sudo scripts/setup-isolation-user.sh`;
  }
  return [
    'Isolation: the gateway rule "Isolate risky users" opens the apps for IdentityProtection-RiskyUser-RiskLevel-high',
    '  members in a remote browser (/browser/<URL>; paste, downloads and printing denied). Raise alice\'s risk with the',
    '  curl above: within one risk-sync interval she signs in again and lands there; "level":"none" ends it.',
    ...(missing ? [missing] : []),
    '',
  ];
}

/** How to see and change risk in the demo, when it runs the risk sync (docs/risk.md). */
function riskLines(cfg: ResolvedConfig): string[] {
  if (!cfg.risk || !cfg.dev?.entra) return [];
  return [
    'Risk: the risk sync puts high-risk users in IdentityProtection-RiskyUser-RiskLevel-high and sets their riskLevel.',
    `  raise anyone's: curl -X POST http://127.0.0.1:${cfg.dev.entra.port}/_emulator/risk -d '{"user":"alice@contoso.com","level":"high"}'`,
    '  then: npx moatless risk status --config demo/moatless.yaml',
    '',
  ];
}

/** Where the admin dashboard is, when the config names admin groups. */
function dashboardLines(cfg: ResolvedConfig): string[] {
  const groups = cfg.admin?.adminGroups ?? [];
  if (groups.length === 0) return [];
  return [`Admin dashboard: ${new URL('/admin/', cfg.server.authUrl).href} — for members of ${groups.join(', ')} (alice).`, ''];
}
