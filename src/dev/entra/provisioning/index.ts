// Public face of the emulator's provisioning client: pushes the emulator's directory to a SCIM 2.0
// endpoint (normally Moatless's own `https://<auth host>/scim/v2`) the way Entra ID's provisioning
// service does, on demand or every N minutes. Owns option validation and the interval. Must never
// log the bearer token, and is a development tool: it is started only by `moatless dev entra`.
import type { Directory } from '../directory.ts';
import { ProvisioningEngine, type EngineLogger } from './client.ts';
import type { Dialect } from './dialect.ts';
import { ProvisioningError } from './errors.ts';
import { ProvisioningLog, type CycleSummary } from './log.ts';
import { ScimHttp, type FetchLike } from './scim-http.ts';
import type { ProvisioningScope } from './scope.ts';

export { ProvisioningError } from './errors.ts';
export type { ProvisioningErrorCode } from './errors.ts';
export { ProvisioningLog, formatSummary } from './log.ts';
export type { CycleSummary, CycleKind, LogEntry, Operation } from './log.ts';
export type { Dialect } from './dialect.ts';
export type { ProvisioningScope } from './scope.ts';
export type { FetchLike } from './scim-http.ts';

export interface ProvisioningClientOptions {
  /** The emulator's live directory; read at the start of every cycle. */
  directory: Directory;
  /** The SCIM base, e.g. `https://auth.example.com/scim/v2`; a `?aadOptscim062020` flag selects that dialect. */
  scimBaseUrl: string;
  /** The long-lived "Secret Token" an admin pastes into Entra. */
  token: string;
  /** Default: `aadOptscim062020` when the URL carries the flag, else `entra-legacy`. */
  dialect?: Dialect;
  /** Assigned groups; absent = "Sync all users and groups". */
  scope?: ProvisioningScope;
  fetch?: FetchLike;
  logger?: EngineLogger;
  now?: () => Date;
  /** Members per group PATCH (default 50). */
  memberChunkSize?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Called after every cycle started by `startInterval`. */
  onCycle?: (summary: CycleSummary) => void;
}

export interface ProvisioningClient {
  readonly dialect: Dialect;
  /** Every request and its outcome, oldest first. */
  readonly log: ProvisioningLog;
  /** Summaries of finished cycles, oldest first (the last 100). */
  readonly summaries: readonly CycleSummary[];
  /** Probe, then create or update, every in-scope user, then every in-scope group and its members. */
  runInitialCycle(): Promise<CycleSummary>;
  /** Push what changed since the last cycle: new, changed, disabled and unassigned users; memberships; groups. */
  runIncrementalCycle(): Promise<CycleSummary>;
  /** One user (object id or UPN) now, with their group memberships; default dialect always. */
  provisionOnDemand(userIdOrUpn: string): Promise<CycleSummary>;
  /** Change which groups are assigned; takes effect at the next cycle. */
  setScope(scope: ProvisioningScope | undefined): void;
  /** The SCIM id this client uses for an emulator object, once provisioned. */
  scimId(objectId: string): string | undefined;
  /** Runs an incremental cycle every `ms` (the first after `ms`); replaces a running interval. */
  startInterval(ms: number): void;
  /** Stops the interval and resolves when the cycle in flight, if any, has finished. */
  stop(): Promise<void>;
}

export const AAD_OPT_FLAG = 'aadOptscim062020';

function parseBase(raw: string): { base: string; flag: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new ProvisioningError('invalid_option', `scimBaseUrl is not a URL: ${raw}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProvisioningError('invalid_option', 'scimBaseUrl must be http(s)');
  if (url.username || url.password) throw new ProvisioningError('invalid_option', 'scimBaseUrl must not carry credentials; use the token');
  // Entra reads the flag from the Tenant URL (MSDOC-COMPAT); it is a switch for us, not sent on.
  const flag = [...url.searchParams.keys()].some((k) => k.toLowerCase() === AAD_OPT_FLAG.toLowerCase());
  return { base: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, flag };
}

export function createProvisioningClient(options: ProvisioningClientOptions): ProvisioningClient {
  const { base, flag } = parseBase(options.scimBaseUrl);
  if (typeof options.token !== 'string' || options.token.trim() === '' || /[\r\n]/.test(options.token)) {
    throw new ProvisioningError('invalid_option', 'token must be a non-empty single-line string');
  }
  const dialect: Dialect = options.dialect ?? (flag ? 'aadOptscim062020' : 'entra-legacy');
  if (dialect !== 'entra-legacy' && dialect !== 'aadOptscim062020') throw new ProvisioningError('invalid_option', `unknown dialect "${String(dialect)}"`);
  const chunk = options.memberChunkSize ?? 50;
  if (!Number.isInteger(chunk) || chunk < 1) throw new ProvisioningError('invalid_option', 'memberChunkSize must be a positive integer');
  const now = options.now ?? (() => new Date());
  const log = new ProvisioningLog();
  const http = new ScimHttp({ baseUrl: base, token: options.token, fetch: options.fetch ?? globalThis.fetch, now, log, timeoutMs: options.timeoutMs ?? 30_000 });
  const engine = new ProvisioningEngine({
    directory: options.directory, http, dialect, scope: options.scope, memberChunkSize: chunk, now, log, logger: options.logger,
  });
  const summaries: CycleSummary[] = [];
  const keep = (s: CycleSummary): CycleSummary => {
    summaries.push(s);
    if (summaries.length > 100) summaries.shift();
    return s;
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy = false;

  return {
    dialect,
    log,
    summaries,
    runInitialCycle: async () => keep(await engine.runCycle('initial')),
    runIncrementalCycle: async () => keep(await engine.runCycle('incremental')),
    provisionOnDemand: async (ref) => keep(await engine.provisionOnDemand(ref)),
    setScope: (scope) => engine.setScope(scope),
    scimId: (id) => engine.scimId(id),
    startInterval(ms) {
      if (!Number.isFinite(ms) || ms < 10) throw new ProvisioningError('invalid_option', 'interval must be at least 10 ms');
      if (timer) clearInterval(timer);
      timer = setInterval(() => {
        // A cycle still running when the next tick fires is not doubled up: Entra skips, it does not queue.
        if (busy) return;
        busy = true;
        engine.runCycle('incremental').then((s) => options.onCycle?.(keep(s)), (err: unknown) => options.logger?.warn({ err: String(err) }, 'provisioning cycle failed'))
          .finally(() => { busy = false; });
      }, ms);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await engine.idle();
    },
  };
}
