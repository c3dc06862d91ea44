// JSON batching (`POST /$batch`, concepts/json-batching.md; reference §2.6): at most 20 requests,
// unique case-insensitive ids, a body only with a Content-Type header, `dependsOn` failing with 424
// when a dependency failed, and each inner request answered (and throttled) on its own. Requests run
// in order, one at a time. Must not know any resource: inner requests go back through the router.
import { z } from 'zod';
import { GraphError } from './errors.ts';
import { graphErrorBody } from './graph-shapes.ts';

export const MAX_BATCH = 20;

const innerSchema = z.object({
  id: z.string().min(1),
  method: z.string().regex(/^[A-Za-z]+$/),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  dependsOn: z.array(z.string()).optional(),
});
const batchSchema = z.object({ requests: z.array(z.unknown()) });

export interface InnerRequest { method: string; path: string; query: URLSearchParams; body: unknown }
export interface InnerResponse { status: number; headers: Record<string, string>; body: unknown }

export async function runBatch(body: unknown, run: (req: InnerRequest) => Promise<InnerResponse>): Promise<{ status: number; body: unknown }> {
  const outer = batchSchema.safeParse(body);
  if (!outer.success) throw new GraphError(400, 'Request_BadRequest', "Invalid batch payload: a 'requests' array is required.");
  const list = outer.data.requests;
  if (list.length === 0) throw new GraphError(400, 'Request_BadRequest', 'Invalid batch payload: at least one request is required.');
  if (list.length > MAX_BATCH) throw new GraphError(400, 'Request_BadRequest', `Invalid batch payload: the number of requests (${list.length}) exceeds the limit of ${MAX_BATCH}.`);
  const parsed = list.map((r) => innerSchema.safeParse(r));
  const broken = parsed.findIndex((p) => !p.success);
  if (broken !== -1) throw new GraphError(400, 'Request_BadRequest', `Invalid batch payload: request ${broken} needs id, method and url.`);
  const items = parsed.map((p) => p.data as z.infer<typeof innerSchema>);
  const ids = new Set<string>();
  for (const r of items) {
    if (ids.has(r.id.toLowerCase())) throw new GraphError(400, 'Request_BadRequest', `Invalid batch payload: duplicate request id '${r.id}'.`);
    ids.add(r.id.toLowerCase());
  }
  const statuses = new Map<string, number>();
  const responses: { id: string; status: number; headers: Record<string, string>; body: unknown }[] = [];
  for (const r of items) {
    const out = await runOne(r, statuses, run);
    statuses.set(r.id.toLowerCase(), out.status);
    responses.push({ id: r.id, ...out });
  }
  return { status: 200, body: { responses } };
}

async function runOne(r: z.infer<typeof innerSchema>, statuses: Map<string, number>, run: (req: InnerRequest) => Promise<InnerResponse>): Promise<InnerResponse> {
  const fail = (status: number, code: string, message: string): InnerResponse => ({ status, headers: { 'content-type': 'application/json' }, body: graphErrorBody(code, message) });
  const failedDep = (r.dependsOn ?? []).find((d) => (statuses.get(d.toLowerCase()) ?? 424) >= 400);
  if (failedDep !== undefined) return fail(424, 'FailedDependency', `The request depends on '${failedDep}', which failed or was not run first.`);
  const hasContentType = Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type');
  if (r.body !== undefined && !hasContentType) return fail(400, 'Request_BadRequest', 'A request with a body needs a Content-Type header.');
  // Inner urls are relative to the version: `/groups/{id}/members/$ref` or `groups/…`.
  const url = new URL(r.url.replace(/^\/?/, '/'), 'http://batch.invalid');
  if (/^\/(v1\.0|beta)\//.test(url.pathname)) return fail(400, 'Request_BadRequest', 'Batch request urls are relative to the version (no /v1.0 prefix).');
  return run({ method: r.method.toUpperCase(), path: url.pathname, query: url.searchParams, body: r.body });
}
