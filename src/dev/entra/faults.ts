// Fault injection and request counting for tests: "the next N requests matching this path fail
// with status S (and Retry-After R)", and "how many requests matched this pattern". Owns pattern
// matching and the counters. Must not build response bodies (the HTTP layer does) or log secrets.
import { z } from 'zod';
import { EmulatorError } from './errors.ts';

export const faultSpecSchema = z.strictObject({
  /** Path glob: `*` matches one segment, `**` any number; absent = every non-emulator path. */
  path: z.string().startsWith('/').optional(),
  method: z.string().regex(/^[A-Za-z]+$/).optional(),
  /** 4xx/5xx; 200 only together with `body` (a malformed or truncated success). */
  status: z.number().int().min(200).max(599),
  /** Seconds for the Retry-After header; absent = no header (Identity Protection 429s send none). */
  retryAfter: z.number().int().min(0).optional(),
  /** How many matching requests pass untouched before the fault applies (e.g. fail page 2 of a delta); default 0. */
  skip: z.number().int().min(0).default(0),
  /** How many matching requests fail; default 1. */
  count: z.number().int().positive().default(1),
  code: z.string().min(1).optional(),
  message: z.string().min(1).optional(),
  /** Raw response body sent instead of the Graph error (e.g. truncated JSON). */
  body: z.string().optional(),
  /** Wait this long before answering (client timeouts). */
  delayMs: z.number().int().min(0).max(120_000).optional(),
}).refine((f) => f.status >= 400 || f.body !== undefined, { message: 'a status below 400 needs a body', path: ['status'] });

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type Fault = z.infer<typeof faultSpecSchema> & { remaining: number };

/** Compiles a glob (`/v1.0/users/*\/transitiveMemberOf`) to an anchored, case-insensitive RegExp. */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

/** `"GET /v1.0/users/*"` or `"/v1.0/users/*"` → a predicate on method and path. */
function compilePattern(pattern: string): (method: string, path: string) => boolean {
  const m = /^([A-Za-z]+)\s+(\/.*)$/.exec(pattern.trim());
  const method = m?.[1]?.toUpperCase();
  const re = globToRegExp(m?.[2] ?? pattern.trim());
  return (reqMethod, path) => (!method || method === reqMethod.toUpperCase()) && re.test(path);
}

export class Faults {
  readonly #faults: { fault: Fault; matches: (method: string, path: string) => boolean }[] = [];

  /** Queues a fault; faults are consumed in the order they were added. */
  add(spec: FaultSpec): Fault {
    const parsed = faultSpecSchema.safeParse(spec);
    if (!parsed.success) {
      throw new EmulatorError('invalid_fault', 'invalid fault', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
    }
    const fault: Fault = { ...parsed.data, remaining: parsed.data.count };
    const pattern = `${fault.method ? `${fault.method} ` : ''}${fault.path ?? '/**'}`;
    this.#faults.push({ fault, matches: compilePattern(pattern) });
    return fault;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f.fault }));
  }

  /** The fault to apply to this request, if any, consuming one of its uses. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.#faults.find((f) => f.fault.remaining > 0 && f.matches(method, path));
    if (!entry) return undefined;
    if (entry.fault.skip > 0) {
      entry.fault.skip -= 1;
      return undefined;
    }
    entry.fault.remaining -= 1;
    if (entry.fault.remaining === 0) this.#faults.splice(this.#faults.indexOf(entry), 1);
    return { ...entry.fault };
  }
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  at: string;
}

export class RequestLog {
  readonly #records: RequestRecord[] = [];

  record(entry: RequestRecord): void {
    this.#records.push(entry);
  }

  /** Requests whose method and path match the pattern (`"/v1.0/users/*\/getMemberObjects"`, `"POST /**"`). */
  count(pattern: string): number {
    const matches = compilePattern(pattern);
    return this.#records.filter((r) => matches(r.method, r.path)).length;
  }

  entries(): RequestRecord[] {
    return this.#records.map((r) => ({ ...r }));
  }

  reset(): void {
    this.#records.length = 0;
  }
}
