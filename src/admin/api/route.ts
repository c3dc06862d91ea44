// One admin API operation, declared once: its schemas validate requests and produce the OpenAPI
// document (openapi.ts), its handler gets typed input. Owns: the declaration shape and type
// erasure into `Route` for the router. Must not: read HTTP objects — handlers see plain values.
import { z } from 'zod';
import type { AdminAuditEntry } from '../../store/ports.ts';
import { invalid } from './errors.ts';
import type { Principal } from './principal.ts';

export const noParams = z.strictObject({});

/** What a state-changing handler records in the audit log (the pipeline adds who, when, request id). */
export type AuditNote = Pick<AdminAuditEntry, 'action' | 'target' | 'before' | 'after'>;

export interface HandlerContext {
  who: Principal;
  requestId: string;
  audit(note: AuditNote): Promise<void>;
  /** The request's If-Match header (optimistic concurrency), or null. */
  ifMatch: string | null;
  /** Set an ETag (or another header) on the success response. */
  setHeader(name: string, value: string): void;
}

/** What the router and the OpenAPI document know of an operation besides its schemas. */
export interface RouteMeta {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The success status (default 200; 201 for a create). */
  status?: number;
  /** Error statuses this operation may answer besides 400/401/403 (404 when it has path params). */
  errors?: string[];
  /** OpenAPI style: `/sessions/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** read: admins, auditors and read tokens; write: admins and write tokens (and audit-logged). */
  access: 'read' | 'write';
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> extends RouteMeta {
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  handle(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }, ctx: HandlerContext): Promise<z.input<R>>;
}

export interface RawInput { params: Record<string, string>; query: Record<string, string>; body: unknown }

/** A declared route with its types erased, as the router and the OpenAPI builder see it. */
export interface Route extends RouteMeta {
  schemas: { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType; response: z.ZodType };
  run(raw: RawInput, ctx: HandlerContext): Promise<unknown>;
}

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> {
  const r = (schema ?? noParams).safeParse(value);
  if (!r.success) throw invalid(where, r.error.issues);
  return r.data as z.output<S>;
}

export function defineRoute<
  P extends z.ZodType = typeof noParams, Q extends z.ZodType = typeof noParams, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): Route {
  const { handle, params, query, body, response, ...meta } = spec;
  return {
    ...meta,
    schemas: { ...(params ? { params } : {}), ...(query ? { query } : {}), ...(body ? { body } : {}), response },
    async run(raw, ctx) {
      const input = {
        params: parse(params, raw.params, 'params'),
        query: parse(query, raw.query, 'query'),
        body: (body ? parse(body, raw.body, 'body') : undefined) as z.output<B>,
      };
      return handle(input, ctx);
    },
  };
}
