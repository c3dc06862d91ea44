// Ingress rules, cloudflared-style: an ordered list of {hostname, path, service}, first match wins,
// and the last rule must be a catch-all (anchors §3.2). Rules come from `--ingress` flags or the
// `ingress:` list of a small YAML file. Owns: parsing, validation and matching. Must not: do I/O.
import { z } from 'zod';

export type Service = { kind: 'http'; origin: string; basePath: string } | { kind: 'status'; status: number };

export interface IngressRule {
  hostname: string | null;
  path: RegExp | null;
  service: Service;
  /** As written, for errors and logs. */
  text: string;
}

const serviceSchema = z.string().transform((s, ctx): Service => {
  const st = /^http_status:([1-5]\d\d)$/.exec(s);
  if (st) return { kind: 'status', status: Number(st[1]) };
  let u: URL | null = null;
  try { u = new URL(s); } catch { /* reported below */ }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) {
    ctx.addIssue({ code: 'custom', message: `service "${s}": expected http(s)://host[:port][/path] or http_status:NNN` });
    return z.NEVER;
  }
  return { kind: 'http', origin: u.origin, basePath: u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '') };
});

const ruleSchema = z.strictObject({
  hostname: z.string().regex(/^(\*\.)?[a-z0-9.-]+$/i, 'a host name; "*" only as a leading label').optional(),
  path: z.string().refine((p) => { try { new RegExp(p); return true; } catch { return false; } }, 'not a valid regular expression').optional(),
  service: serviceSchema,
});

export const ingressFileSchema = z.strictObject({
  ingress: z.array(ruleSchema).min(1, 'at least one rule: the catch-all'),
}).superRefine((f, ctx) => {
  const last = f.ingress.at(-1);
  if (last && (last.hostname !== undefined || last.path !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['ingress', f.ingress.length - 1], message: 'the last rule must be a catch-all (no hostname, no path)' });
  }
});

export type IngressFile = z.input<typeof ingressFileSchema>;

/** Validated rules, or every problem with its path. */
export function compileIngress(raw: unknown): { ok: true; rules: IngressRule[] } | { ok: false; issues: string[] } {
  const r = ingressFileSchema.safeParse(raw);
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.') || 'ingress'}: ${i.message}`) };
  const input = (raw as { ingress: { service: string }[] }).ingress;
  return {
    ok: true,
    rules: r.data.ingress.map((x, i) => ({
      hostname: x.hostname?.toLowerCase() ?? null, path: x.path !== undefined ? new RegExp(x.path) : null,
      service: x.service, text: `${x.hostname ?? '*'}${x.path ?? ''} → ${input[i]?.service}`,
    })),
  };
}

/** `--ingress HOST[/PATH-REGEX]=SERVICE` (HOST `*` for any) → a raw rule. */
export function ingressFlag(text: string): { hostname?: string; path?: string; service: string } {
  const eq = text.indexOf('=');
  const where = eq === -1 ? '' : text.slice(0, eq);
  const service = eq === -1 ? text : text.slice(eq + 1);
  const slash = where.indexOf('/');
  const host = slash === -1 ? where : where.slice(0, slash);
  const path = slash === -1 ? '' : where.slice(slash);
  return { ...(host && host !== '*' ? { hostname: host } : {}), ...(path ? { path: `^${path}` } : {}), service };
}

function hostMatches(rule: string, host: string): boolean {
  return rule.startsWith('*.') ? host.endsWith(rule.slice(1)) && host.length > rule.length - 1 : rule === host;
}

/** The first rule matching the request's Host (port ignored) and path; the catch-all otherwise. */
export function matchIngress(rules: readonly IngressRule[], hostHeader: string, path: string): IngressRule {
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  return rules.find((r) => (r.hostname === null || hostMatches(r.hostname, host)) && (r.path === null || r.path.test(path)))
    ?? rules[rules.length - 1]!;
}
