// Admin API: create and revoke the credentials machines use — SCIM bearer tokens (Entra
// provisioning) and admin API tokens (automation against this API; scoped read|write and always
// expiring, as `moatless admin token create` makes them). Owns: these writes. Must not: return a
// secret after the create answer, store anything but its SHA-256, or put it in the audit log.
import { z } from 'zod';
import { createAdminToken } from '../api-tokens.ts';
import { createScimToken } from '../../directory/scim-tokens.ts';
import { type ApiDeps, iso, isoTime } from './common.ts';
import { ApiError, notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

/** Token names as the CLI takes them. */
export const tokenName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ -; at most 64');
const idParam = z.strictObject({ id: z.string().min(1).max(100) });
const DAY_MS = 86_400_000;
const secretNote = 'The secret itself: shown in this answer only, never again (only its SHA-256 is stored).';
const revoked = z.object({ revoked: z.literal(true) }).meta({ id: 'TokenRevoked' });

export function tokenWriteRoutes(deps: ApiDeps): Route[] {
  const s = deps.store;
  return [
    defineRoute({
      method: 'post', path: '/tokens/scim', operationId: 'createScimToken', tag: 'tokens', access: 'write', status: 201, errors: ['409'],
      summary: 'Create a SCIM bearer token for a directory (created when missing); the token is shown once',
      body: z.strictObject({
        name: tokenName,
        directory: tokenName.default('default').meta({ description: 'The directory the token provisions into (default "default").' }),
      }).meta({ id: 'ScimTokenCreate' }),
      response: z.object({
        id: z.string(), name: z.string(), directoryId: z.string(), directory: z.string(), createdAt: isoTime,
        token: z.string().meta({ description: `${secretNote} Paste it into Entra as the Secret Token.` }),
      }).meta({ id: 'ScimTokenCreated' }),
      async handle({ body }, ctx) {
        if ((await s.directory.tokens.list()).some((t) => t.name === body.name && t.revokedAt === null)) {
          throw new ApiError('conflict', `a live SCIM token named "${body.name}" exists; revoke it first`);
        }
        const { token, record, directory } = await createScimToken(s, { name: body.name, directoryName: body.directory, now: deps.now() });
        await ctx.audit({ action: 'scim-token.create', target: `scim-token:${body.name}`, before: null, after: { id: record.id, directory: directory.name } });
        return { id: record.id, name: record.name, directoryId: directory.id, directory: directory.name, createdAt: iso(record.createdAt), token };
      },
    }),
    defineRoute({
      method: 'delete', path: '/tokens/scim/{id}', operationId: 'revokeScimToken', tag: 'tokens', access: 'write', errors: ['409'],
      summary: 'Revoke a SCIM token: SCIM requests with it get 401 from now on',
      params: idParam, response: revoked,
      async handle({ params }, ctx) {
        const t = (await s.directory.tokens.list()).find((x) => x.id === params.id);
        if (!t) throw notFound(`a SCIM token with id ${params.id}`);
        if (t.revokedAt !== null) throw new ApiError('conflict', `SCIM token "${t.name}" is already revoked`);
        await s.directory.tokens.revoke(t.id, deps.now());
        await ctx.audit({ action: 'scim-token.revoke', target: `scim-token:${t.name}`, before: { id: t.id, state: 'active' }, after: { state: 'revoked' } });
        return { revoked: true as const };
      },
    }),
    defineRoute({
      method: 'post', path: '/tokens/admin', operationId: 'createAdminToken', tag: 'tokens', access: 'write', status: 201, errors: ['409'],
      summary: 'Create an admin API token (scope read or write, expiring within 366 days); the token is shown once',
      body: z.strictObject({
        name: tokenName,
        scope: z.enum(['read', 'write']),
        expiresInDays: z.number().int().min(1).max(366).meta({ description: 'Lifetime in days (1–366); tokens always expire.' }),
      }).meta({ id: 'AdminTokenCreate' }),
      response: z.object({
        id: z.string(), name: z.string(), scope: z.enum(['read', 'write']), createdAt: isoTime, expiresAt: isoTime,
        token: z.string().meta({ description: `${secretNote} Send it as "Authorization: Bearer …".` }),
      }).meta({ id: 'AdminTokenCreated' }),
      async handle({ body }, ctx) {
        const now = deps.now();
        if ((await s.admin.tokens.list()).some((t) => t.name === body.name && t.revokedAt === null && t.expiresAt > now)) {
          throw new ApiError('conflict', `a live admin token named "${body.name}" exists; revoke it first`);
        }
        // A token cannot mint one that outlives it: a leaked token must not be able to extend itself.
        const who = ctx.who;
        if (who.kind === 'token' && now + body.expiresInDays * DAY_MS > who.expiresAt) {
          throw new ApiError('forbidden', `token "${who.name}" expires ${iso(who.expiresAt)}: a token cannot create one that outlives it`, [
            { path: 'body.expiresInDays', message: `at most ${Math.floor((who.expiresAt - now) / DAY_MS)} with this token` },
          ]);
        }
        const { token, record } = await createAdminToken(s, { name: body.name, scope: body.scope, expiresInMs: body.expiresInDays * DAY_MS, now });
        await ctx.audit({ action: 'token.create', target: `token:${body.name}`, before: null, after: { id: record.id, scope: record.scope, expiresAt: iso(record.expiresAt) } });
        return { id: record.id, name: record.name, scope: record.scope, createdAt: iso(record.createdAt), expiresAt: iso(record.expiresAt), token };
      },
    }),
    defineRoute({
      method: 'delete', path: '/tokens/admin/{id}', operationId: 'revokeAdminToken', tag: 'tokens', access: 'write', errors: ['409'],
      summary: 'Revoke an admin API token: calls with it get 401 from now on',
      params: idParam, response: revoked,
      async handle({ params }, ctx) {
        const t = (await s.admin.tokens.list()).find((x) => x.id === params.id);
        if (!t) throw notFound(`an admin token with id ${params.id}`);
        if (t.revokedAt !== null) throw new ApiError('conflict', `admin token "${t.name}" is already revoked`);
        await s.admin.tokens.revoke(t.id, deps.now());
        await ctx.audit({ action: 'token.revoke', target: `token:${t.name}`, before: { id: t.id, scope: t.scope, state: 'active' }, after: { state: 'revoked' } });
        return { revoked: true as const };
      },
    }),
  ];
}
