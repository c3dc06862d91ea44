// `moatless policy test --user … --url …`: what would happen if this user opened this URL now, and why.
// Identity comes from the flags and, when the user was provisioned by SCIM, from the directory.
import { buildRuntime } from '../../access/runtime.ts';
import { checkPath } from '../../access/request-guard.ts';
import { buildFacts } from '../../access/request-facts.ts';
import { explain, formatExplanation } from '../../policy/explain.ts';
import type { IdentityFacts } from '../../policy/types.ts';
import { loadDirectoryFacts } from '../../directory/directory-facts.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { gatewayPolicyTest } from './policy-test-gateway.ts';
import { withApiObjects } from '../layered-config.ts';

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** `name=value` pairs from repeated --claim flags. */
function claims(args: ParsedArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of args.repeated.get('claim') ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--claim takes name=value, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** The path as typed: URL parsing would remove the dot segments the proxy refuses. */
function rawPath(text: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(text);
  return m?.[1] || '/';
}

export async function policyTest(args: ParsedArgs): Promise<number> {
  if (args.flags.has('gateway')) return gatewayPolicyTest(args);
  const email = flag(args, 'user');
  const rawUrl = flag(args, 'url');
  const serviceToken = flag(args, 'service-token');
  const anonymous = args.flags.has('anonymous') || (!email && serviceToken !== undefined);
  if ((!email && !anonymous) || !rawUrl) throw new UsageError('--url URL and one of --user EMAIL, --service-token NAME or --anonymous are required');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`not a URL: ${rawUrl}`);
  }
  return withConfigAndStore(args, async (store, file) => {
    // The file plus the apps and policies created through the admin API, as the server serves them.
    const cfg = (await withApiObjects(store, file)).config;
    const app = buildRuntime(cfg, new Map()).routes.lookup(url.hostname.toLowerCase(), url.pathname)?.app;
    if (!app) {
      process.stdout.write(`${url.host}${url.pathname}: no app is configured there (Moatless answers 404)\n`);
      return 0;
    }
    const refused = checkPath(rawPath(rawUrl));
    if (refused) process.stdout.write(`note: the proxy refuses this path with 400 before any policy: ${refused}\n`);
    if (serviceToken !== undefined && !cfg.serviceTokens.some((t) => t.name === serviceToken)) throw new UsageError(`no service token named "${serviceToken}" in the config`);
    // The same lookup the proxy makes on every request (userName or email, every directory).
    const directory = email && !anonymous ? await loadDirectoryFacts(store, email) : undefined;
    const groups = flag(args, 'groups') !== undefined ? list(flag(args, 'groups')) : directory?.groups ?? [];
    const identity: IdentityFacts | undefined = email && !anonymous ? {
      userKey: `policy-test|${email.toLowerCase()}`, email: email.toLowerCase(), idp: flag(args, 'idp') ?? app.idps[0] ?? 'unknown',
      groups, groupNames: groups, amr: list(flag(args, 'amr')), acrs: list(flag(args, 'acrs')), claims: claims(args),
    } : undefined;
    const request = {
      ip: flag(args, 'ip') ?? '127.0.0.1', country: flag(args, 'country')?.toUpperCase(),
      host: url.host, path: url.pathname, method: flag(args, 'method') ?? 'GET',
    };
    const facts = buildFacts({ now: Date.now(), request, identity, serviceToken: serviceToken ?? null }, directory);
    const who = !identity
      ? `(not signed in${serviceToken !== undefined ? `; service token "${serviceToken}"` : ''})`
      : `${identity.email}${directory ? ` — provisioned, ${directory.active ? 'active' : 'INACTIVE'}, groups: ${directory.groups.join(', ') || '(none)'}` : ' — not in the SCIM directory'}`;
    process.stdout.write(`app: ${app.id} (${app.name})\nuser: ${who}\n${formatExplanation(explain(app.policies, facts)).join('\n')}\n`);
    return 0;
  });
}
