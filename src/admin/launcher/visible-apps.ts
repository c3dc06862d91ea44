// Which apps a signed-in user may open, for the app launcher: every app's policies evaluated with
// the user's frozen identity and live directory facts, as a request to the app's front page.
// Owns: that question. Must not: grant anything — the proxy decides again on the real request.
import type { AccessRuntime } from '../../access/runtime.ts';
import type { Identity } from '../../identity/identity.ts';
import { buildFacts } from '../../access/request-facts.ts';
import { evaluate } from '../../policy/evaluate.ts';
import type { DirectoryFacts } from '../../policy/types.ts';

export interface LauncherApp {
  id: string;
  name: string;
  url: string;
  /** Opening it will ask for a stronger sign-in (Conditional Access contexts). */
  stepUp: string[] | null;
}

export function visibleApps(rt: AccessRuntime, identity: Identity, directory: DirectoryFacts | undefined, clientIp: string, now: number): LauncherApp[] {
  if (directory && !directory.active) return [];
  const scheme = new URL(rt.authOrigin).protocol;
  const port = new URL(rt.authOrigin).port;
  const out: LauncherApp[] = [];
  for (const app of rt.apps.values()) {
    const host = app.config.hosts.find((h) => !h.wildcard);
    if (!host) continue; // a wildcard app has no single address to link to
    const path = host.pathPrefix === '/' ? '/' : `${host.pathPrefix}/`;
    const request = { ip: clientIp, host: host.host, path, method: 'GET' };
    const d = evaluate(app.policies, buildFacts({ now, request, identity, serviceToken: null }, directory));
    const allowed = d.action === 'allow' || d.action === 'bypass';
    if (!allowed && !(d.action === 'deny' && d.stepUp)) continue;
    out.push({ id: app.id, name: app.name, url: `${scheme}//${host.host}${port ? `:${port}` : ''}${path}`, stepUp: allowed ? null : d.stepUp?.authContexts ?? null });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
