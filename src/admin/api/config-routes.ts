// Admin API: apps, their policies and rule groups as served — those from moatless.yaml marked
// `source: config` (read-only: the file is the source of truth), those created through the API
// `source: api` with their stored definition and ETag. Owns: these views. Must not: show secrets
// (service-token secrets, IdP credentials are not part of any view here).
import { z } from 'zod';
import { policiesOfApp } from '../../config/layered.ts';
import type { AppConfig } from '../../config/schema/apps.ts';
import type { ConfigObjectRecord } from '../../store/ports.ts';
import { etagOf } from '../config-objects/writes.ts';
import { type ApiDeps, iso, isoTime } from './common.ts';
import { notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const source = z.enum(['config', 'api']).meta({ description: 'config: from moatless.yaml, read-only here; api: created through this API.' });
const rules = z.array(z.record(z.string(), z.unknown()));
/** What the API keeps about an object it stores: who made it, when, its version and its definition. */
const stored = {
  etag: z.string().nullable().meta({ description: 'For If-Match on PUT/PATCH/DELETE; null for config objects.' }),
  definition: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The object as written through the API (PUT takes this shape); null for config objects.' }),
  updatedAt: isoTime.nullable(), updatedBy: z.string().nullable(),
};
export const policySchema = z.object({
  id: z.string().meta({ description: 'API policies: p-…; config policies: yaml.<app>.<index>.' }),
  app: z.string(), index: z.number().int(), name: z.string(), action: z.string(), sessionDuration: z.string().nullable(),
  include: rules, require: rules, exclude: rules, source, ...stored,
}).meta({ id: 'Policy' });
export const appSchema = z.object({
  id: z.string(), name: z.string(), hosts: z.array(z.string()), upstream: z.string(), identityProviders: z.array(z.string()),
  websockets: z.boolean(), policies: z.array(policySchema), source, ...stored,
}).meta({ id: 'App' });
export const ruleGroupSchema = z.object({ name: z.string(), include: rules, require: rules, exclude: rules, source, ...stored }).meta({ id: 'RuleGroup' });

type RuleList = Record<string, unknown>[];
const asRules = (r: unknown): RuleList => (Array.isArray(r) ? r.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : []);
const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});

function storedView(o: ConfigObjectRecord | undefined) {
  if (!o) return { source: 'config' as const, etag: null, definition: null, updatedAt: null, updatedBy: null };
  return { source: 'api' as const, etag: etagOf(o), definition: asRecord(o.body), updatedAt: iso(o.updatedAt), updatedBy: o.updatedBy };
}

function policiesOf(app: AppConfig, api: readonly ConfigObjectRecord[]): z.input<typeof policySchema>[] {
  const isApi = api.some((o) => o.kind === 'app' && o.id === app.id);
  const records = isApi ? policiesOfApp(api, app.id) : [];
  return app.policies.map((p, index) => ({
    id: isApi ? records[index]?.id ?? `?${index}` : `yaml.${app.id}.${index}`,
    app: app.id, index, name: p.name, action: p.action, sessionDuration: p.sessionDuration ?? null,
    include: asRules(p.include), require: asRules(p.require), exclude: asRules(p.exclude), ...storedView(records[index]),
  }));
}

export function appView(app: AppConfig, idps: readonly string[], api: readonly ConfigObjectRecord[]): z.input<typeof appSchema> {
  return {
    id: app.id, name: app.name ?? app.id, hosts: app.hosts.map((h) => `${h.host}${h.pathPrefix === '/' ? '' : h.pathPrefix}`),
    upstream: app.upstream ?? '', identityProviders: [...idps], websockets: app.websockets, policies: policiesOf(app, api),
    ...storedView(api.find((o) => o.kind === 'app' && o.id === app.id)),
  };
}

/** Every served policy (file and API), or one app's. */
export function allPolicies(deps: ApiDeps, appId?: string): z.input<typeof policySchema>[] {
  const rt = deps.runtime();
  return [...rt.apps.values()].filter((a) => !appId || a.id === appId).flatMap((a) => policiesOf(a.config, rt.config.apiObjects));
}

export function ruleGroupViews(deps: ApiDeps): z.input<typeof ruleGroupSchema>[] {
  const cfg = deps.runtime().config;
  return cfg.ruleGroups.map((g) => ({
    name: g.name, include: asRules(g.include), require: asRules(g.require), exclude: asRules(g.exclude),
    ...storedView(cfg.apiObjects.find((o) => o.kind === 'ruleGroup' && o.id === g.name)),
  }));
}

export function configRoutes(deps: ApiDeps): Route[] {
  const apps = () => [...deps.runtime().apps.values()];
  const api = () => deps.runtime().config.apiObjects;
  return [
    defineRoute({
      method: 'get', path: '/apps', operationId: 'listApps', tag: 'config', access: 'read', summary: 'Protected apps with their policies',
      response: z.object({ items: z.array(appSchema) }).meta({ id: 'AppList' }),
      async handle() { return { items: apps().map((a) => appView(a.config, a.idps, api())) }; },
    }),
    defineRoute({
      method: 'get', path: '/apps/{id}', operationId: 'getApp', tag: 'config', access: 'read', summary: 'One app with its policies (ETag for API apps)',
      params: z.strictObject({ id: z.string().max(63) }),
      response: appSchema,
      async handle({ params }, ctx) {
        const a = deps.runtime().apps.get(params.id);
        if (!a) throw notFound(`app "${params.id}"`);
        const view = appView(a.config, a.idps, api());
        if (view.etag) ctx.setHeader('etag', view.etag);
        return view;
      },
    }),
    defineRoute({
      method: 'get', path: '/policies', operationId: 'listPolicies', tag: 'config', access: 'read', summary: 'Every app policy, in evaluation order per app',
      query: z.strictObject({ app: z.string().max(63).optional() }),
      response: z.object({ items: z.array(policySchema) }).meta({ id: 'PolicyList' }),
      async handle({ query }) { return { items: allPolicies(deps, query.app) }; },
    }),
    defineRoute({
      method: 'get', path: '/policies/{id}', operationId: 'getPolicy', tag: 'config', access: 'read', summary: 'One policy (ETag for API policies)',
      params: z.strictObject({ id: z.string().max(200) }),
      response: policySchema,
      async handle({ params }, ctx) {
        const p = allPolicies(deps).find((x) => x.id === params.id);
        if (!p) throw notFound(`policy "${params.id}"`);
        if (p.etag) ctx.setHeader('etag', p.etag);
        return p;
      },
    }),
    defineRoute({
      method: 'get', path: '/config-objects/not-served', operationId: 'listNotServedConfigObjects', tag: 'config', access: 'read',
      summary: 'Apps, policies and rule groups from the API left out of the served config (they no longer fit the file), with why',
      response: z.object({ items: z.array(z.object({ path: z.string().meta({ example: 'api app "crm".hosts[0]' }), message: z.string() })) })
        .meta({ id: 'NotServedList' }),
      async handle() { return { items: [...(deps.notServed?.() ?? [])] }; },
    }),
    defineRoute({
      method: 'get', path: '/rule-groups', operationId: 'listRuleGroups', tag: 'config', access: 'read', summary: 'Reusable rule groups',
      response: z.object({ items: z.array(ruleGroupSchema) }).meta({ id: 'RuleGroupList' }),
      async handle() { return { items: ruleGroupViews(deps) }; },
    }),
    defineRoute({
      method: 'get', path: '/rule-groups/{name}', operationId: 'getRuleGroup', tag: 'config', access: 'read', summary: 'One rule group (ETag for API rule groups)',
      params: z.strictObject({ name: z.string().max(200) }),
      response: ruleGroupSchema,
      async handle({ params }, ctx) {
        const g = ruleGroupViews(deps).find((x) => x.name === params.name);
        if (!g) throw notFound(`rule group "${params.name}"`);
        if (g.etag) ctx.setHeader('etag', g.etag);
        return g;
      },
    }),
  ];
}
