// The config Moatless serves: moatless.yaml plus the apps, policies, rule groups and identity
// providers created through the admin API (stored in the store, ports-config.ts), validated together by the same schema and
// policy compiler as the file alone. Owns: merging the two layers, naming which object an issue
// belongs to, and dropping API objects that no longer fit (fail closed: an app whose policies do
// not compile is not served at all). Must not: read the store or the file itself. Pure.
import type { ConfigObjectRecord } from '../store/ports-config.ts';
import type { ConfigIssue } from './issues.ts';
import { loadConfigObject, type LoadOptions, type LoadResult, type ResolvedConfig } from './load.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The policy fields an API policy object carries besides the policy itself. */
export function policyParts(body: unknown): { app: string; order: number; policy: Record<string, unknown> } {
  const { app, order, ...policy } = isRecord(body) ? body : {};
  return { app: typeof app === 'string' ? app : '', order: typeof order === 'number' ? order : 0, policy };
}

/** API policies of one app, in evaluation order: `order`, then creation. */
export function policiesOfApp(objects: readonly ConfigObjectRecord[], appId: string): ConfigObjectRecord[] {
  return objects.filter((o) => o.kind === 'policy' && policyParts(o.body).app === appId)
    .sort((a, b) => policyParts(a.body).order - policyParts(b.body).order || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

export interface Merged {
  raw: Record<string, unknown>;
  /** Which API object an issue path belongs to, and the rest of the path inside that object. */
  owner(path: string): { object: ConfigObjectRecord; rest: string } | null;
}

export function mergeLayers(fileRaw: unknown, objects: readonly ConfigObjectRecord[]): Merged {
  const file = isRecord(fileRaw) ? fileRaw : {};
  const fileApps = listOf(file.apps);
  const fileGroups = listOf(file.ruleGroups);
  const fileIdps = listOf(file.identityProviders);
  const apiApps = objects.filter((o) => o.kind === 'app');
  const apiGroups = objects.filter((o) => o.kind === 'ruleGroup');
  const apiIdps = objects.filter((o) => o.kind === 'identityProvider');
  const appPolicies = apiApps.map((a) => policiesOfApp(objects, a.id));
  const raw = {
    ...file,
    apps: [...fileApps, ...apiApps.map((a, i) => ({
      ...(isRecord(a.body) ? a.body : {}), policies: appPolicies[i]!.map((p) => policyParts(p.body).policy),
    }))],
    ruleGroups: [...fileGroups, ...apiGroups.map((g) => g.body)],
    identityProviders: [...fileIdps, ...apiIdps.map((p) => p.body)],
  };
  return {
    raw,
    owner(path) {
      const app = /^apps\[(\d+)\](?:\.policies\[(\d+)\])?(.*)$/.exec(path);
      if (app) {
        const a = Number(app[1]) - fileApps.length;
        if (a < 0 || !apiApps[a]) return null;
        if (app[2] === undefined) return { object: apiApps[a], rest: app[3]! };
        const p = appPolicies[a]![Number(app[2])];
        return p ? { object: p, rest: app[3]! } : { object: apiApps[a], rest: `.policies[${app[2]}]${app[3]!}` };
      }
      const group = /^ruleGroups\[(\d+)\](.*)$/.exec(path);
      const g = group ? apiGroups[Number(group[1]) - fileGroups.length] : undefined;
      if (g) return { object: g, rest: group![2]! };
      const idp = /^identityProviders\[(\d+)\](.*)$/.exec(path);
      const p = idp ? apiIdps[Number(idp[1]) - fileIdps.length] : undefined;
      return p ? { object: p, rest: idp![2]! } : null;
    },
  };
}

/** `api policy "p-1a2b" (app "crm").include[0].group` — where an API object's problem is. */
export function apiPath(o: ConfigObjectRecord, rest: string): string {
  const app = o.kind === 'policy' ? ` (app "${policyParts(o.body).app}")` : '';
  const kind = o.kind === 'ruleGroup' ? 'rule group' : o.kind === 'identityProvider' ? 'identity provider' : o.kind;
  return `api ${kind} "${o.id}"${app}${rest}`;
}

export type LayeredResult =
  | { ok: true; config: ResolvedConfig; warnings: ConfigIssue[]; rejected: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[]; warnings: ConfigIssue[]; rejected: ConfigIssue[] };

/**
 * The file alone must be valid (it is the source of truth). API objects are layered on top; those
 * that no longer fit (the file changed under them) are left out and reported in `rejected`: an app
 * goes with its policies, a broken policy takes its app with it, so nothing is served with fewer
 * deny rules than were written.
 */
export function loadLayered(
  fileRaw: unknown, objects: readonly ConfigObjectRecord[], opts: LoadOptions & { sourcePath?: string },
): LayeredResult {
  const rejected: ConfigIssue[] = [];
  // A policy whose app is not an API app (deleted behind the API's back) has nothing to attach to.
  const apps = new Set(objects.filter((o) => o.kind === 'app').map((o) => o.id));
  const orphans = new Set(objects.filter((o) => o.kind === 'policy' && !apps.has(policyParts(o.body).app)));
  for (const o of orphans) {
    rejected.push({ path: apiPath(o, ''), message: `its app "${policyParts(o.body).app}" is not an app created through the API` });
  }
  let active = objects.filter((o) => !orphans.has(o));
  for (let round = 0; round <= objects.length + 1; round++) {
    const merged = mergeLayers(fileRaw, active);
    const r: LoadResult = loadConfigObject(merged.raw, opts);
    if (r.ok) return { ok: true, config: { ...r.config, fileObject: fileRaw, apiObjects: active }, warnings: r.warnings, rejected };
    const owned = r.issues.map((i) => ({ issue: i, owner: merged.owner(i.path) }));
    if (active.length === 0 || owned.some((o) => o.owner === null)) {
      if (active.length === 0) return { ok: false, issues: r.issues, warnings: r.warnings, rejected };
      // A problem outside the API objects (the file itself): judge the file alone.
      rejected.push(...active.map((o) => ({ path: apiPath(o, ''), message: 'not served: the file has problems of its own' })));
      active = [];
      continue;
    }
    const drop = new Set<string>();
    for (const { issue, owner } of owned) {
      const o = owner!.object;
      rejected.push({ path: apiPath(o, owner!.rest), message: issue.message });
      drop.add(`${o.kind}:${o.id}`);
      if (o.kind === 'policy') drop.add(`app:${policyParts(o.body).app}`);
    }
    active = active.filter((o) => !drop.has(`${o.kind}:${o.id}`) && !(o.kind === 'policy' && drop.has(`app:${policyParts(o.body).app}`)));
  }
  return { ok: false, issues: [{ path: 'api objects', message: 'could not be combined with the file' }], warnings: [], rejected };
}
