// Admin API: the policy tester — "what would happen if bob@contoso.com opened this URL now, and
// why?" — answered by the same engine and trace as `moatless policy test` (policy/explain.ts) and
// the same directory lookup the proxy makes. Owns: turning the request body into facts. Must not:
// change anything; it is a POST only because the question has a body.
import { buildFacts } from '../../access/request-facts.ts';
import { z } from 'zod';
import { checkPath } from '../../access/request-guard.ts';
import { loadDirectoryFacts } from '../../directory/directory-facts.ts';
import { explain, formatExplanation } from '../../policy/explain.ts';
import { formatReason } from '../../policy/reasons.ts';
import type { IdentityFacts } from '../../policy/types.ts';
import type { ApiDeps } from './common.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const names = z.array(z.string().min(1).max(256)).max(500);

const questionSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).meta({ example: 'https://payroll.example.com/' }),
  user: z.email().optional().meta({ description: 'Who opens it; omit with anonymous or serviceToken.' }),
  serviceToken: z.string().min(1).max(63).optional(),
  anonymous: z.boolean().optional(),
  groups: names.optional().meta({ description: 'Group names or ids; default: the user\'s SCIM directory groups.' }),
  amr: names.optional(),
  acrs: names.optional(),
  claims: z.record(z.string().max(128), z.string().max(1024)).optional(),
  idp: z.string().max(63).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'ISO 3166-1 alpha-2').optional(),
  method: z.string().regex(/^[A-Z]{1,16}$/).default('GET'),
}).refine((q) => q.user !== undefined || q.anonymous === true || q.serviceToken !== undefined, {
  path: ['user'], message: 'give user, serviceToken or anonymous: true',
}).meta({ id: 'PolicyQuestion' });

const ruleSchema = z.object({ section: z.string(), path: z.string(), source: z.string(), matched: z.boolean(), reason: z.string() });
const answerSchema = z.object({
  app: z.object({ id: z.string(), name: z.string() }).nullable(),
  refusedBeforePolicy: z.string().nullable().meta({ description: 'Why the proxy refuses the path itself with 400, if it does.' }),
  user: z.object({ email: z.string(), provisioned: z.boolean(), active: z.boolean().nullable(), groups: z.array(z.string()) }).nullable(),
  decision: z.object({ action: z.string(), policy: z.string().nullable(), reasons: z.array(z.string()), stepUp: z.array(z.string()).nullable() }).nullable(),
  policies: z.array(z.object({
    index: z.number().int(), name: z.string(), action: z.string(), matched: z.boolean(), decided: z.boolean(), reached: z.boolean(), rules: z.array(ruleSchema),
  })),
  explanation: z.array(z.string()).meta({ description: 'The same lines `moatless policy test` prints.' }),
}).meta({ id: 'PolicyAnswer' });

/** The path as typed: URL parsing would remove the dot segments the proxy refuses. */
const rawPath = (text: string): string => /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(text)?.[1] || '/';

export function policyTestRoutes(deps: ApiDeps): Route[] {
  return [defineRoute({
    method: 'post', path: '/policy-test', operationId: 'testPolicy', tag: 'policies', access: 'read',
    summary: 'Explain the decision for a user (or service token, or nobody) opening a URL now',
    body: questionSchema,
    response: answerSchema,
    async handle({ body: q }) {
      const url = new URL(q.url);
      const rt = deps.runtime();
      const app = rt.routes.lookup(url.hostname.toLowerCase(), url.pathname)?.app;
      const refused = checkPath(rawPath(q.url)) ?? null;
      if (!app) return { app: null, refusedBeforePolicy: refused, user: null, decision: null, policies: [], explanation: [`${url.host}${url.pathname}: no app is configured there (Moatless answers 404)`] };
      if (q.serviceToken !== undefined && !rt.config.serviceTokens.some((t) => t.name === q.serviceToken)) {
        throw new ApiError('invalid_request', 'the request body is invalid', [{ path: 'body.serviceToken', message: `no service token named "${q.serviceToken}" in the config` }]);
      }
      const email = q.anonymous ? undefined : q.user?.toLowerCase();
      const directory = email ? await loadDirectoryFacts(deps.store, email) : undefined;
      const groups = q.groups ?? directory?.groups ?? [];
      const identity: IdentityFacts | undefined = email ? {
        userKey: `policy-test|${email}`, email, idp: q.idp ?? app.idps[0] ?? 'unknown', groups, groupNames: groups,
        amr: q.amr ?? [], acrs: q.acrs ?? [], claims: q.claims ?? {},
      } : undefined;
      // The facts the proxy would build (src/access/request-facts.ts), from what the tester was told.
      const request = { ip: q.ip, country: q.country?.toUpperCase(), host: url.hostname, path: url.pathname, method: q.method };
      const facts = buildFacts({ now: deps.now(), request, identity, serviceToken: q.serviceToken ?? null }, directory);
      const trace = explain(app.policies, facts);
      const d = trace.decision;
      return {
        app: { id: app.id, name: app.name }, refusedBeforePolicy: refused,
        user: email ? { email, provisioned: directory !== undefined, active: directory?.active ?? null, groups } : null,
        decision: { action: d.action, policy: d.policy?.name ?? null, reasons: d.reasons.map(formatReason), stepUp: d.stepUp?.authContexts ?? null },
        policies: trace.policies.map((p) => ({
          index: p.index, name: p.name, action: p.action, matched: p.matched, decided: p.decided, reached: p.reached,
          rules: p.rules.map((r) => ({ section: r.section, path: r.path, source: r.source, matched: r.matched, reason: formatReason(r.reason) })),
        })),
        explanation: formatExplanation(trace),
      };
    },
  })];
}
