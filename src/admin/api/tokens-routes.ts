// Admin API: the credentials machines use — SCIM tokens (per directory), service tokens (from
// moatless.yaml) and admin API tokens — as metadata only. Owns: these lists. Must not: return a
// secret or a hash of one, ever (create and revoke: token-write-routes.ts and the CLI).
import { z } from 'zod';
import { type ApiDeps, iso, isoOrNull, isoTime } from './common.ts';
import { defineRoute, type Route } from './route.ts';

export const tokenState = (revokedAt: number | null, expiresAt: number | null, now: number): 'active' | 'revoked' | 'expired' =>
  revokedAt !== null ? 'revoked' : expiresAt !== null && expiresAt <= now ? 'expired' : 'active';
export const tokenStateSchema = z.enum(['active', 'revoked', 'expired']);

export function tokenRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/tokens/scim', operationId: 'listScimTokens', tag: 'tokens', access: 'read',
      summary: 'SCIM bearer tokens (metadata only: never the token or its hash)',
      response: z.object({
        items: z.array(z.object({
          id: z.string(), name: z.string(), directoryId: z.string(), directory: z.string().nullable(), state: tokenStateSchema,
          createdAt: isoTime, lastUsedAt: isoTime.nullable(), revokedAt: isoTime.nullable(),
        })),
      }).meta({ id: 'ScimTokenList' }),
      async handle() {
        const names = new Map((await deps.store.directory.directories.list()).map((d) => [d.id, d.name]));
        const now = deps.now();
        return {
          items: (await deps.store.directory.tokens.list()).map((t) => ({
            id: t.id, name: t.name, directoryId: t.directoryId, directory: names.get(t.directoryId) ?? null, state: tokenState(t.revokedAt, null, now),
            createdAt: iso(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt), revokedAt: isoOrNull(t.revokedAt),
          })),
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/tokens/service', operationId: 'listServiceTokens', tag: 'tokens', access: 'read',
      summary: 'Service tokens from moatless.yaml (name, client id, expiry; never the client secret)',
      response: z.object({
        items: z.array(z.object({ name: z.string(), clientId: z.string(), expiresAt: isoTime.nullable(), state: tokenStateSchema, source: z.literal('config') })),
      }).meta({ id: 'ServiceTokenList' }),
      async handle() {
        const now = deps.now();
        return {
          items: deps.runtime().config.serviceTokens.map((t) => {
            const expiresAt = t.expiresAt ? Date.parse(t.expiresAt) : null;
            return { name: t.name, clientId: t.clientId, expiresAt: isoOrNull(expiresAt), state: tokenState(null, expiresAt, now), source: 'config' as const };
          }),
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/tokens/admin', operationId: 'listAdminTokens', tag: 'tokens', access: 'read',
      summary: 'Admin API tokens (name, scope, expiry, last use; never the token or its hash)',
      response: z.object({
        items: z.array(z.object({
          id: z.string(), name: z.string(), scope: z.enum(['read', 'write']), state: tokenStateSchema,
          createdAt: isoTime, expiresAt: isoTime, lastUsedAt: isoTime.nullable(), revokedAt: isoTime.nullable(),
        })),
      }).meta({ id: 'AdminTokenList' }),
      async handle() {
        const now = deps.now();
        return {
          items: (await deps.store.admin.tokens.list()).map((t) => ({
            id: t.id, name: t.name, scope: t.scope, state: tokenState(t.revokedAt, t.expiresAt, now),
            createdAt: iso(t.createdAt), expiresAt: iso(t.expiresAt), lastUsedAt: isoOrNull(t.lastUsedAt), revokedAt: isoOrNull(t.revokedAt),
          })),
        };
      },
    }),
  ];
}
