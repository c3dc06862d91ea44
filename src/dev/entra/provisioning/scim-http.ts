// The SCIM port of the provisioning client: one request to the target SCIM endpoint with Entra's
// headers, recorded in the provisioning log, with the response shape checked. Owns URL building,
// the bearer header, timeouts and status handling. Must never log or return the token, and must
// not decide what to provision.
import { z } from 'zod';
import { ProvisioningError } from './errors.ts';
import type { JsonObject } from './mapping.ts';
import type { LogEntry, Operation, ProvisioningLog } from './log.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ScimRequest {
  method: LogEntry['method'];
  /** `/Users`, `/Groups/{id}` — relative to the base URL. */
  path: string;
  /** Query parameters in the order Entra sends them. */
  query?: [string, string][];
  body?: JsonObject;
  operation: Operation;
  objectId: string;
}

export interface ScimHttpOptions {
  baseUrl: string;
  token: string;
  fetch: FetchLike;
  now: () => Date;
  log: ProvisioningLog;
  timeoutMs: number;
}

const resourceSchema = z.looseObject({ id: z.string().min(1) });
const listSchema = z.looseObject({ totalResults: z.number().int().min(0), Resources: z.array(resourceSchema).optional() });

export type ScimResource = z.infer<typeof resourceSchema>;

export class ScimHttp {
  readonly #o: ScimHttpOptions;

  constructor(options: ScimHttpOptions) {
    this.#o = options;
  }

  /** Sends the request; resolves with the parsed body of a 2xx (or of a 404 when `allow404`). */
  async send(req: ScimRequest, allow404 = false): Promise<{ status: number; body: unknown; entry: LogEntry }> {
    const query = (req.query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const entry: LogEntry = {
      at: this.#o.now().toISOString(), method: req.method, operation: req.operation, objectId: req.objectId,
      path: `${req.path}${query ? `?${(req.query ?? []).map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`,
      status: 0, result: 'failure',
    };
    if (req.body !== undefined) entry.body = structuredClone(req.body);
    this.#o.log.record(entry);
    let res: Response;
    try {
      res = await this.#o.fetch(`${this.#o.baseUrl}${req.path}${query ? `?${query}` : ''}`, {
        method: req.method,
        headers: {
          authorization: `Bearer ${this.#o.token}`,
          accept: 'application/scim+json',
          ...(req.body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (cause) {
      entry.error = 'scim_unreachable';
      throw new ProvisioningError('scim_unreachable', `${req.method} ${req.path}: no response`, { cause });
    }
    entry.status = res.status;
    const text = await res.text();
    if (!res.ok && !(allow404 && res.status === 404)) {
      entry.error = 'scim_status';
      throw new ProvisioningError('scim_status', `${req.method} ${req.path} answered ${res.status}`, { status: res.status });
    }
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch (cause) {
        entry.error = 'scim_invalid_response';
        throw new ProvisioningError('scim_invalid_response', `${req.method} ${req.path}: body is not JSON`, { cause });
      }
    }
    entry.result = 'success';
    return { status: res.status, body, entry };
  }

  /** A filter query; the ListResponse's resources (RFC 7644 §3.4.2: 200 with zero hits, never 404). */
  async query(req: ScimRequest): Promise<{ resources: JsonObject[]; entry: LogEntry }> {
    const { body, entry } = await this.send(req);
    const parsed = listSchema.safeParse(body);
    if (!parsed.success) return invalid(entry, `${req.path}: not a ListResponse`);
    return { resources: parsed.data.Resources ?? [], entry };
  }

  /** POST; the created resource must carry a server `id` (MSDOC-SCIM "Create User": 201 with id). */
  async create(req: ScimRequest): Promise<ScimResource> {
    const { body, entry } = await this.send(req);
    const parsed = resourceSchema.safeParse(body);
    if (!parsed.success) return invalid(entry, `${req.path}: created resource has no id`);
    return parsed.data;
  }
}

function invalid(entry: LogEntry, message: string): never {
  entry.result = 'failure';
  entry.error = 'scim_invalid_response';
  throw new ProvisioningError('scim_invalid_response', message);
}
