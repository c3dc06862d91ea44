// Admin API: apps, their policies and rule groups as moatless.yaml defines them — read-only and
// marked `source: config` (GitOps: the file stays the source of truth). Owns: these views. Must
// not: show secrets (service-token secrets, IdP credentials are not part of any view here).
import { z } from 'zod';
import type { AppConfig } from '../../config/schema/apps.ts';
import type { ApiDeps } from './common.ts';
import { notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const source = z.literal('config').meta({ description: 'Where the object is defined: config objects are read-only here.' });
const rules = z.array(z.record(z.string(), z.unknown()));
const policySchema = z.object({
  app: z.string(), index: z.number().int(), name: z.string(), action: z.string(), sessionDuration: z.string().nullable(),
  include: rules, require: rules, exclude: rules, source,
}).meta({ id: 'Policy' });
const appSchema = z.object({
  id: z.string(), name: z.string(), hosts: z.array(z.string()), upstream: z.string(), identityProviders: z.array(z.string()),
  websockets: z.boolean(), policies: z.array(policySchema), source,
}).meta({ id: 'App' });
const ruleGroupSchema = z.object({ name: z.string(), include: rules, require: rules, exclude: rules, source }).meta({ id: 'RuleGroup' });

type RuleList = Record<string, unknown>[];
const asRules = (r: unknown): RuleList => (Array.isArray(r) ? r.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : []);

function policiesOf(app: AppConfig): z.input<typeof policySchema>[] {
  return app.policies.map((p, index) => ({
    app: app.id, index, name: p.name, action: p.action, sessionDuration: p.sessionDuration ?? null,
    include: asRules(p.include), require: asRules(p.require), exclude: asRules(p.exclude), source: 'config' as const,
  }));
}

function appView(app: AppConfig, idps: readonly string[]): z.input<typeof appSchema> {
  return {
    id: app.id, name: app.name ?? app.id, hosts: app.hosts.map((h) => `${h.host}${h.pathPrefix === '/' ? '' : h.pathPrefix}`),
    upstream: app.upstream ?? '', identityProviders: [...idps], websockets: app.websockets, policies: policiesOf(app), source: 'config',
  };
}

export function configRoutes(deps: ApiDeps): Route[] {
  const apps = () => [...deps.runtime().apps.values()];
  return [
    defineRoute({
      method: 'get', path: '/apps', operationId: 'listApps', tag: 'config', access: 'read', summary: 'Protected apps with their policies',
      response: z.object({ items: z.array(appSchema) }).meta({ id: 'AppList' }),
      async handle() { return { items: apps().map((a) => appView(a.config, a.idps)) }; },
    }),
    defineRoute({
      method: 'get', path: '/apps/{id}', operationId: 'getApp', tag: 'config', access: 'read', summary: 'One app with its policies',
      params: z.strictObject({ id: z.string().max(63) }),
      response: appSchema,
      async handle({ params }) {
        const a = deps.runtime().apps.get(params.id);
        if (!a) throw notFound(`app "${params.id}"`);
        return appView(a.config, a.idps);
      },
    }),
    defineRoute({
      method: 'get', path: '/policies', operationId: 'listPolicies', tag: 'config', access: 'read', summary: 'Every app policy, in evaluation order per app',
      query: z.strictObject({ app: z.string().max(63).optional() }),
      response: z.object({ items: z.array(policySchema) }).meta({ id: 'PolicyList' }),
      async handle({ query }) {
        return { items: apps().filter((a) => !query.app || a.id === query.app).flatMap((a) => policiesOf(a.config)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/rule-groups', operationId: 'listRuleGroups', tag: 'config', access: 'read', summary: 'Reusable rule groups',
      response: z.object({ items: z.array(ruleGroupSchema) }).meta({ id: 'RuleGroupList' }),
      async handle() {
        return { items: deps.runtime().config.ruleGroups.map((g) => ({ name: g.name, include: asRules(g.include), require: asRules(g.require), exclude: asRules(g.exclude), source: 'config' as const })) };
      },
    }),
  ];
}
