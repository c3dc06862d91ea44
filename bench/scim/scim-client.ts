// An Entra-like SCIM client for the benchmark: keep-alive undici Pool to the server on loopback,
// the auth host in the Host header, the bearer token on every request, and a timing per request.
// Owns: the request shapes Entra sends (reference/scim.md §1.2, §1.7, §1.8). Must not: log the
// token or retry anything — a failed request is a finding, not noise to hide.
import { Pool } from 'undici';

const USER_SCHEMAS = ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'];
const GROUP_SCHEMAS = ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'];
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface Timed { status: number; ms: number; body: string }

export class ScimClient {
  readonly #pool: Pool;
  readonly #headers: Record<string, string>;

  constructor(port: number, authHost: string, token: string, connections: number) {
    this.#pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
    this.#headers = { host: authHost, authorization: `Bearer ${token}`, accept: 'application/scim+json' };
  }

  async send(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<Timed> {
    const t0 = performance.now();
    const res = await this.#pool.request({
      method, path: `/scim/v2${path}`,
      headers: body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, ms: performance.now() - t0, body: text };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

export const filterPath = (resource: 'Users' | 'Groups', attr: string, value: string, extra = ''): string =>
  `/${resource}?${extra}filter=${encodeURIComponent(`${attr} eq "${value}"`)}`;

/** POST /Users as Entra's provisioning service sends it (MSDOC-SCIM "Create User"). */
export function entraUser(i: number, prefix: string): Record<string, unknown> {
  const n = String(i).padStart(6, '0');
  const upn = `${prefix}${n}@contoso.com`;
  return {
    schemas: USER_SCHEMAS, externalId: `${prefix}oid-${n}`, userName: upn, active: true,
    displayName: `Bench User ${n}`,
    emails: [{ primary: true, type: 'work', value: upn }],
    meta: { resourceType: 'User' },
    name: { formatted: `Bench User ${n}`, familyName: `User ${n}`, givenName: 'Bench' },
    roles: [],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: `Dept ${i % 50}`, employeeNumber: n },
  };
}

export const userNameOf = (i: number, prefix: string): string => `${prefix}${String(i).padStart(6, '0')}@contoso.com`;
export const externalIdOf = (i: number, prefix: string): string => `${prefix}oid-${String(i).padStart(6, '0')}`;

/** POST /Groups: always created empty, filled by PATCH (reference/scim.md §1.7). */
export function entraGroup(name: string, externalId: string): Record<string, unknown> {
  return { schemas: GROUP_SCHEMAS, externalId, displayName: name, meta: { resourceType: 'Group' } };
}

export function addMembers(userIds: readonly string[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: userIds.map((value) => ({ $ref: null, value })) }] };
}

export function removeMembers(userIds: readonly string[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: userIds.map((value) => ({ $ref: null, value })) }] };
}

/** Entra without the compatibility flag sends the string "False" (reference/scim.md §1.5). */
export const deactivate = (): Record<string, unknown> => ({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight; the first failure rejects. */
export async function forEachConcurrent(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null) {
      const i = next++;
      if (i >= n) return;
      try {
        await task(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  if (failed !== null) throw failed;
}
