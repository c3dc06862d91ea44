// Admin API: what the other capabilities are doing right now — tunnels with their connectors and
// health, and live remote-browser isolation sessions (listed from the registry every isolating
// server keeps in the store; ended through the change feed, so the server holding one ends it).
// Owns: these views and the end call. Must not: touch a connector or a browser itself.
import { z } from 'zod';
import { END_TOPIC, REGISTRY_NS, type SessionSummary } from '../../isolation/index.ts';
import { tunnelReport } from '../../tunnel/status.ts';
import { type ApiDeps, iso, isoTime } from './common.ts';
import { notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const tunnelSchema = z.object({
  tunnel: z.string(),
  health: z.enum(['healthy', 'degraded', 'down']).meta({ description: 'healthy: every connector holds all its connections; down: none.' }),
  connectors: z.array(z.object({
    id: z.string(), version: z.string(), hostname: z.string(), addresses: z.array(z.string()), edges: z.array(z.string()),
    connections: z.number().int(), since: isoTime,
  })),
}).meta({ id: 'Tunnel' });

const isolationSessionSchema = z.object({
  id: z.string(), user: z.string(), policy: z.string(), state: z.string(), url: z.string(), tabs: z.number().int(),
  viewer: z.boolean().meta({ description: 'A viewer is connected right now.' }), host: z.string(),
  worker: z.string().nullable().meta({ description: 'The isolation worker (`moatless isolation-worker`) running it; null: the auth host itself.' }),
  startedAt: isoTime, lastInputAt: isoTime,
}).meta({ id: 'IsolationSession' });

async function isolationSessions(deps: ApiDeps): Promise<SessionSummary[]> {
  const rows: SessionSummary[] = [];
  for (const r of await deps.store.kv.list(REGISTRY_NS)) {
    try { rows.push(JSON.parse(r.value) as SessionSummary); } catch { /* a torn row is left out, not shown wrong */ }
  }
  return rows;
}

export function operationsRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/tunnels', operationId: 'listTunnels', tag: 'operations', access: 'read',
      summary: 'Tunnels named by apps or served by connectors, with their connectors and health',
      response: z.object({ items: z.array(tunnelSchema) }).meta({ id: 'TunnelList' }),
      async handle() {
        const apps = [...deps.runtime().apps.values()].map((a) => a.config.upstream);
        const report = await tunnelReport(deps.store, apps, deps.now());
        return { items: report.map((t) => ({ ...t, connectors: t.connectors.map((c) => ({ ...c, since: iso(c.since) })) })) };
      },
    }),
    defineRoute({
      method: 'get', path: '/isolation/sessions', operationId: 'listIsolationSessions', tag: 'operations', access: 'read',
      summary: 'Live remote-browser isolation sessions on every server sharing this store',
      response: z.object({ items: z.array(isolationSessionSchema) }).meta({ id: 'IsolationSessionList' }),
      async handle() {
        const rows = await isolationSessions(deps);
        return {
          items: rows.map((r) => ({
            id: r.id, user: r.user, policy: r.policy, state: r.state, url: r.url, tabs: r.tabs, viewer: r.viewer, host: r.host, worker: r.worker ?? null,
            startedAt: iso(r.startedAt), lastInputAt: iso(r.lastInputAt),
          })),
        };
      },
    }),
    defineRoute({
      method: 'post', path: '/isolation/sessions/end', operationId: 'endIsolationSession', tag: 'operations', access: 'write',
      summary: 'End an isolation session: the server holding it closes the remote browser at once',
      body: z.strictObject({ id: z.string().min(1).max(100) }),
      response: z.object({ ended: z.literal(true) }).meta({ id: 'IsolationSessionEnded' }),
      async handle({ body }, ctx) {
        const s = (await isolationSessions(deps)).find((r) => r.id === body.id);
        if (!s) throw notFound(`an isolation session with id ${body.id}`);
        await deps.store.changes.publish(END_TOPIC, { id: body.id });
        await ctx.audit({ action: 'isolation.end', target: `isolation:${body.id}`, before: { user: s.user, url: s.url }, after: { ended: true } });
        return { ended: true as const };
      },
    }),
  ];
}
