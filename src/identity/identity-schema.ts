// The shape of a stored identity, checked when a session is read back: the store keeps it as opaque
// JSON, so a row written by another version, edited by hand or damaged must not reach the policy
// engine or an origin as if it had been verified. Must not: coerce or repair values.
import { z } from 'zod';
import type { Identity } from './identity.ts';

const strings = z.array(z.string());

export const identitySchema = z.object({
  userKey: z.string().min(1),
  email: z.string().min(1),
  name: z.string().optional(),
  idp: z.string().min(1),
  groups: strings,
  groupNames: strings,
  amr: strings,
  acrs: strings,
  claims: z.record(z.string(), z.unknown()),
});

/** The identity, or null when the stored JSON is not one. */
export function parseStoredIdentity(json: unknown): Identity | null {
  const r = identitySchema.safeParse(json);
  return r.success ? r.data : null;
}
