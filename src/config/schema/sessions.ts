// Session lifetimes and cookie attributes (Cloudflare's global + application session model).
import { z } from 'zod';
import { durationMs } from './common.ts';

export const sessionsSchema = z.strictObject({
  /** The sign-in on the auth host, used to re-issue app sessions silently. */
  globalDuration: durationMs.default(86_400_000),
  /** Default app session; apps and policies may shorten or lengthen it. */
  appDuration: durationMs.default(86_400_000),
  sameSite: z.enum(['lax', 'strict', 'none']).default('lax'),
  cookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('moatless_session'),
  /**
   * How long a replica trusts a session row it has read before reading it again. Revocations do not
   * wait for this: they clear every replica's cache at once; this only bounds a missed notice.
   * Policy decisions themselves are never cached.
   */
  cacheTtl: durationMs.default(30_000),
}).prefault({});
export type SessionsConfig = z.infer<typeof sessionsSchema>;
