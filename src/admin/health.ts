// Liveness and readiness for load balancers and Kubernetes probes, answered before app routing on
// every host: `/healthz` and `/readyz` (unless an app is routed at that very path — its own health
// page keeps working), and `/.moatless/healthz` and `/.moatless/readyz` on every host always.
// Owns: the checks and their answers. Must not: take longer than its deadline, or say more than
// which check failed (no hostnames, no driver errors).
import type { AccessReply, AccessRequest } from '../access/http-types.ts';
import type { AccessRuntime } from '../access/runtime.ts';
import type { Store } from '../store/ports.ts';
import { withDeadline } from '../store/deadline.ts';

export interface ProbeDeps {
  store: Pick<Store, 'kv' | 'changes'>;
  /** Longest the readiness store query may take; a slower store is not ready. */
  storeTimeoutMs?: number;
}

export interface ReadyReport {
  ready: boolean;
  checks: { store: { ok: boolean; ms?: number; error?: string }; config: { ok: boolean; apps: number }; changeFeed: { ok: boolean } };
}

/** Returns true when it answered the request (the caller then does nothing else). */
export type ProbeHandler = (rt: AccessRuntime, req: AccessRequest, res: AccessReply, host: string, path: string) => boolean;

const KIND: Record<string, 'live' | 'ready'> = { '/healthz': 'live', '/readyz': 'ready', '/.moatless/healthz': 'live', '/.moatless/readyz': 'ready' };

export function createProbes(deps: ProbeDeps): ProbeHandler {
  const timeout = deps.storeTimeoutMs ?? 2000;
  // Probes from many load balancers at once share one store query rather than piling up.
  let inFlight: Promise<ReadyReport['checks']['store']> | null = null;
  const checkStore = (): Promise<ReadyReport['checks']['store']> => {
    inFlight ??= (async () => {
      const t0 = performance.now();
      try {
        await withDeadline(deps.store.kv.get('moatless.health', 'probe'), timeout);
        return { ok: true, ms: Math.round(performance.now() - t0) };
      } catch (err) {
        return { ok: false, error: err instanceof Error && err.name === 'DeadlineExceeded' ? `no answer within ${timeout} ms` : 'query failed' };
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  async function ready(rt: AccessRuntime): Promise<ReadyReport> {
    const store = await checkStore();
    const config = { ok: rt.config !== undefined, apps: rt.apps.size };
    const changeFeed = { ok: deps.store.changes.isFresh() };
    return { ready: store.ok && config.ok && changeFeed.ok, checks: { store, config, changeFeed } };
  }

  return (rt, req, res, host, path) => {
    const kind = KIND[path];
    if (!kind) return false;
    if (!path.startsWith('/.moatless/') && host !== rt.authHost && rt.routes.lookup(host, path)) return false;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, method, 405, 'text/plain; charset=utf-8', 'GET or HEAD only\n', { allow: 'GET, HEAD' });
      return true;
    }
    if (kind === 'live') {
      send(res, method, 200, 'text/plain; charset=utf-8', 'ok\n');
      return true;
    }
    ready(rt).then(
      (r) => send(res, method, r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks })),
      () => send(res, method, 503, 'application/json', '{"status":"not ready"}'),
    );
    return true;
  };
}

function send(res: AccessReply, method: string, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(method === 'HEAD' ? undefined : body);
}
