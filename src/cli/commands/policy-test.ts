// `moatless policy test --user … --url …`: what would happen if this user opened this URL now, and why.
// Identity comes from the flags and, when the user was provisioned by SCIM, from the directory.
import { buildRuntime } from '../../access/runtime.ts';
import { checkPath } from '../../access/request-guard.ts';
import { explain, formatExplanation } from '../../policy/explain.ts';
import type { Facts, IdentityFacts } from '../../policy/types.ts';
import { loadDirectoryFacts } from '../../directory/directory-facts.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

export async function policyTest(args: ParsedArgs): Promise<number> {
  const email = flag(args, 'user');
  const rawUrl = flag(args, 'url');
  if (!email || !rawUrl) throw new UsageError('--user EMAIL and --url URL are required');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`not a URL: ${rawUrl}`);
  }
  return withConfigAndStore(args, async (store, cfg) => {
    const app = buildRuntime(cfg, new Map()).routes.lookup(url.hostname.toLowerCase(), url.pathname)?.app;
    if (!app) {
      process.stdout.write(`${url.host}${url.pathname}: no app is configured there (Moatless answers 404)\n`);
      return 0;
    }
    const refused = checkPath(url.pathname);
    if (refused) process.stdout.write(`note: the path would be refused before policy: ${refused}\n`);
    // The same lookup the proxy makes on every request (userName or email, every directory).
    const directory = await loadDirectoryFacts(store, email);
    const groups = flag(args, 'groups') !== undefined ? list(flag(args, 'groups')) : directory?.groups ?? [];
    const identity: IdentityFacts = {
      userKey: `policy-test|${email.toLowerCase()}`, email: email.toLowerCase(), idp: flag(args, 'idp') ?? app.idps[0] ?? 'unknown',
      groups, groupNames: groups, amr: list(flag(args, 'amr')), acrs: list(flag(args, 'acrs')), claims: {},
    };
    const facts: Facts = {
      now: Date.now(), identity,
      request: { ip: flag(args, 'ip') ?? '127.0.0.1', country: flag(args, 'country')?.toUpperCase(), host: url.hostname, path: url.pathname, method: flag(args, 'method') ?? 'GET' },
      ...(directory ? { directory } : {}),
    };
    const who = directory ? ` — provisioned, ${directory.active ? 'active' : 'INACTIVE'}, groups: ${directory.groups.join(', ') || '(none)'}` : ' — not in the SCIM directory';
    process.stdout.write(`app: ${app.id} (${app.name})\nuser: ${identity.email}${who}\n${formatExplanation(explain(app.policies, facts)).join('\n')}\n`);
    return 0;
  });
}
