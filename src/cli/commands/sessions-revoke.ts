// `moatless sessions revoke --user EMAIL`: ends every session of the user, on every replica.
import { SessionService } from '../../identity/sessions.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

export async function sessionsRevoke(args: ParsedArgs): Promise<number> {
  const email = flag(args, 'user');
  if (!email || !email.includes('@')) throw new UsageError('--user EMAIL is required');
  return withConfigAndStore(args, async (store) => {
    const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
    try {
      const n = await sessions.revokeUser({ email }, 'cli');
      process.stdout.write(`revoked ${n} session(s) of ${email.toLowerCase()}; every replica refuses them from the next request\n`);
      return 0;
    } finally {
      sessions.close();
    }
  });
}
