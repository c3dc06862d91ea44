// Identity providers: any OIDC provider by discovery, and Entra ID with national clouds.
import { z } from 'zod';
import { durationMs, httpUrl, secretRef } from './common.ts';

export const ENTRA_CLOUDS = ['global', 'usgov', 'usgovhigh', 'dod', 'china'] as const;

const idpBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _'),
  displayName: z.string().min(1).optional(),
  /** End sessions when SCIM or Graph reports a group membership change (Cloudflare's "reauth" behaviour). */
  reauthOnGroupChange: z.boolean().default(false),
};

export const oidcIdpSchema = z.strictObject({
  ...idpBase,
  type: z.literal('oidc'),
  /** Issuer URL; discovery is read from {issuer}/.well-known/openid-configuration. */
  issuer: httpUrl,
  clientId: z.string().min(1),
  clientSecret: secretRef,
  scopes: z.array(z.string()).default(['openid', 'email', 'profile']),
  /** Claim holding group names or ids. */
  groupsClaim: z.string().default('groups'),
  emailClaim: z.string().default('email'),
});

/** An app-registration certificate: the PEM certificate uploaded to Entra and its RSA private key. */
export const clientCertificateSchema = z.strictObject({
  certificate: secretRef,
  privateKey: secretRef,
});

export const entraIdpSchema = z.strictObject({
  ...idpBase,
  type: z.literal('entra'),
  tenantId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'the directory (tenant) id, a GUID'),
  clientId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'the application (client) id, a GUID'),
  /** Exactly one of clientSecret and clientCertificate (Microsoft recommends certificates). */
  clientSecret: secretRef.optional(),
  clientCertificate: clientCertificateSchema.optional(),
  cloud: z.enum(ENTRA_CLOUDS, {
    error: (issue) => `unknown cloud "${String(issue.input)}"; valid values: ${ENTRA_CLOUDS.join(', ')}`,
  }).default('global'),
  /**
   * Development only: reach an emulator instead of Microsoft's hosts. `moatless serve` warns loudly
   * whenever these are set.
   */
  authorityUrl: httpUrl.optional(),
  graphUrl: httpUrl.optional(),
  scopes: z.array(z.string()).default(['openid', 'email', 'profile']),
  /**
   * With `reauthOnGroupChange`: how often Moatless asks Microsoft Graph (`/groups/delta`) which
   * group memberships changed, for tenants without SCIM provisioning. `0` disables polling.
   * Needs the application permissions GroupMember.Read.All and User.Read.All (docs/entra.md).
   */
  groupChangePolling: durationMs.default(300_000),
}).check((ctx) => {
  const { clientSecret, clientCertificate } = ctx.value;
  if ((clientSecret === undefined) === (clientCertificate === undefined)) {
    ctx.issues.push({
      code: 'custom', input: ctx.value, path: clientSecret === undefined ? [] : ['clientCertificate'],
      message: clientSecret === undefined ? 'set clientSecret or clientCertificate (neither is set)' : 'set clientSecret or clientCertificate, not both',
    });
  }
});

export const identityProviderSchema = z.discriminatedUnion('type', [oidcIdpSchema, entraIdpSchema]);
export type IdentityProviderConfig = z.infer<typeof identityProviderSchema>;
export type EntraIdpConfig = z.infer<typeof entraIdpSchema>;
export type OidcIdpConfig = z.infer<typeof oidcIdpSchema>;
