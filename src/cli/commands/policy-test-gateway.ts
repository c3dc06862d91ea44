// `moatless policy test --gateway --user … --url …`: what the secure web gateway would do with this
// request now, and why — every rule traced. Identity comes from the flags and, when the user was
// provisioned by SCIM, the directory (groups incl. risk groups, riskLevel). No DNS lookup: pass
// --destination-ip to test destinationIp rules; --stage connect shows the CONNECT-time decision.
import { explainGateway, formatGatewayExplanation } from '../../policy/gateway-explain.ts';
import type { IdentityFacts } from '../../policy/types.ts';
import { loadDirectoryFacts } from '../../directory/directory-facts.ts';
import { connectRequestFacts, gatewayFacts, httpRequestFacts } from '../../gateway/facts.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

export async function gatewayPolicyTest(args: ParsedArgs): Promise<number> {
  const email = flag(args, 'user');
  const rawUrl = flag(args, 'url');
  if (!rawUrl || (!email && !args.flags.has('anonymous'))) throw new UsageError('--gateway needs --url URL and --user EMAIL (or --anonymous)');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`not a URL: ${rawUrl}`);
  }
  const stage = flag(args, 'stage') ?? 'http';
  if (stage !== 'http' && stage !== 'connect') throw new UsageError('--stage is http or connect');
  return withConfigAndStore(args, async (store, cfg) => {
    if (!cfg.gatewayPolicies) {
      process.stdout.write('no gateway: section in this config\n');
      return 1;
    }
    const directory = email ? await loadDirectoryFacts(store, email) : undefined;
    const groups = flag(args, 'groups')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    const identity: IdentityFacts | undefined = email ? {
      userKey: `policy-test|${email.toLowerCase()}`, email: email.toLowerCase(), idp: flag(args, 'idp') ?? 'unknown',
      groups, groupNames: groups, amr: [], acrs: [], claims: {},
    } : undefined;
    const ip = flag(args, 'ip') ?? '127.0.0.1';
    const dest = flag(args, 'destination-ip');
    const request = stage === 'http'
      ? httpRequestFacts(url, flag(args, 'method') ?? 'GET', ip, dest)
      : connectRequestFacts(url.hostname, url.port ? Number(url.port) : 443, ip, dest);
    const facts = gatewayFacts(stage, request, { identity, directory, fromIsolation: args.flags.has('from-isolation') }, Date.now());
    const who = !identity ? '(anonymous)'
      : `${identity.email}${directory ? ` — provisioned, ${directory.active ? 'active' : 'INACTIVE'}, groups: ${directory.groups.join(', ') || '(none)'}, risk: ${directory.riskLevel ?? 'unknown'}` : ' — not in the SCIM directory'}`;
    process.stdout.write(`user: ${who}\n${formatGatewayExplanation(explainGateway(cfg.gatewayPolicies, facts)).join('\n')}\n`);
    return 0;
  });
}
