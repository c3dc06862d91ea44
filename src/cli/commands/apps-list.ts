// `moatless apps list [--json] [--url URL]`: the protected apps with their hosts, upstream, IdPs and
// policies in evaluation order — from moatless.yaml, or with --url as a running instance serves them
// (its admin API, which also shows apps created there).
import type { ParsedArgs } from '../args.ts';
import { withConfig } from '../load-config.ts';
import { printRows } from '../output.ts';
import { viaApiOrStore } from '../remote.ts';

interface AppLine { id: string; name: string; hosts: string[]; upstream: string; identityProviders: string[]; policies: { name: string; action: string }[] }

function printApps(args: ParsedArgs, apps: readonly AppLine[]): number {
  printRows(args, [
    { header: 'APP', key: 'id', value: (a) => a.id },
    { header: 'NAME', key: 'name', value: (a) => a.name },
    { header: 'HOSTS', key: 'hosts', value: (a) => a.hosts.join(',') },
    { header: 'UPSTREAM', key: 'upstream', value: (a) => a.upstream },
    { header: 'IDPS', key: 'identityProviders', value: (a) => a.identityProviders.join(',') },
    { header: 'POLICIES', key: 'policies', value: (a) => a.policies.map((p) => `${p.name} (${p.action})`).join('; ') },
  ], apps, 'no apps');
  return 0;
}

export function appsList(args: ParsedArgs): Promise<number> {
  return viaApiOrStore(args, async (api) => printApps(args, (await api.get<{ items: AppLine[] }>('/apps')).items), () => withConfig(args, async (cfg) => printApps(args, cfg.apps.map((a) => ({
    id: a.id, name: a.name ?? a.id, hosts: a.hosts.map((h) => `${h.host}${h.pathPrefix === '/' ? '' : h.pathPrefix}`), upstream: a.upstream ?? '',
    identityProviders: a.identityProviders.length > 0 ? a.identityProviders : cfg.identityProviders.map((p) => p.id),
    policies: a.policies.map((p) => ({ name: p.name, action: p.action })),
  })))));
}
