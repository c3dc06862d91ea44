// Admin API: connector tokens for tunnels — list (metadata only), create (the token in the answer,
// once) and revoke (the edge on every replica cuts the connector at once, through the change feed).
// What `moatless tunnel token … --url` calls. Owns: these three operations. Must not: return a
// token after its create answer, or a hash of one; tunnel logic stays in src/tunnel.
import { z } from 'zod';
import { createTunnelToken, revokeTunnelToken, TUNNEL_NAME } from '../../tunnel/index.ts';
import { type ApiDeps, iso, isoOrNull, isoTime } from './common.ts';
import { ApiError, notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';
import { tokenState, tokenStateSchema } from './tokens-routes.ts';
import { tokenName } from './token-write-routes.ts';

const tunnelName = z.string().regex(TUNNEL_NAME, 'lower-case letters, digits, - and _, as in upstream: tunnel:NAME');

export function tunnelTokenRoutes(deps: ApiDeps): Route[] {
  const tokens = deps.store.tunnels.tokens;
  return [
    defineRoute({
      method: 'get', path: '/tokens/tunnel', operationId: 'listTunnelTokens', tag: 'tokens', access: 'read',
      summary: 'Connector (tunnel) tokens (metadata only: never the token or its hash)',
      response: z.object({
        items: z.array(z.object({
          id: z.string(), name: z.string(), tunnel: z.string(), state: tokenStateSchema, createdAt: isoTime, revokedAt: isoTime.nullable(),
        })),
      }).meta({ id: 'TunnelTokenList' }),
      async handle() {
        const now = deps.now();
        return {
          items: (await tokens.list()).map((t) => ({
            id: t.id, name: t.name, tunnel: t.tunnel, state: tokenState(t.revokedAt, null, now), createdAt: iso(t.createdAt), revokedAt: isoOrNull(t.revokedAt),
          })),
        };
      },
    }),
    defineRoute({
      method: 'post', path: '/tokens/tunnel', operationId: 'createTunnelToken', tag: 'tokens', access: 'write', status: 201, errors: ['409'],
      summary: 'Create a connector token for a tunnel; the token is shown once',
      body: z.strictObject({ name: tokenName, tunnel: tunnelName }).meta({ id: 'TunnelTokenCreate' }),
      response: z.object({
        id: z.string(), name: z.string(), tunnel: z.string(), createdAt: isoTime,
        token: z.string().meta({ description: 'The secret itself: shown in this answer only, never again (only its SHA-256 is stored). Give it to `moatless connector --token-file`.' }),
      }).meta({ id: 'TunnelTokenCreated' }),
      async handle({ body }, ctx) {
        if ((await tokens.list()).some((t) => t.name === body.name && t.revokedAt === null)) {
          throw new ApiError('conflict', `a live tunnel token named "${body.name}" exists; revoke it first`);
        }
        const { token, record } = await createTunnelToken(deps.store, { name: body.name, tunnel: body.tunnel, now: deps.now() });
        await ctx.audit({ action: 'tunnel-token.create', target: `tunnel-token:${body.name}`, before: null, after: { id: record.id, tunnel: record.tunnel } });
        return { id: record.id, name: record.name, tunnel: record.tunnel, createdAt: iso(record.createdAt), token };
      },
    }),
    defineRoute({
      method: 'delete', path: '/tokens/tunnel/{id}', operationId: 'revokeTunnelToken', tag: 'tokens', access: 'write', errors: ['409'],
      summary: 'Revoke a connector token: its connectors are disconnected on every replica at once',
      params: z.strictObject({ id: z.string().min(1).max(100) }),
      response: z.object({ revoked: z.literal(true) }).meta({ id: 'TunnelTokenRevoked' }),
      async handle({ params }, ctx) {
        const t = (await tokens.list()).find((x) => x.id === params.id);
        if (!t) throw notFound(`a tunnel token with id ${params.id}`);
        if (t.revokedAt !== null || !(await revokeTunnelToken(deps.store, t.id, deps.now()))) {
          throw new ApiError('conflict', `tunnel token "${t.name}" is already revoked`);
        }
        await ctx.audit({ action: 'tunnel-token.revoke', target: `tunnel-token:${t.name}`, before: { id: t.id, tunnel: t.tunnel, state: 'active' }, after: { state: 'revoked' } });
        return { revoked: true as const };
      },
    }),
  ];
}
