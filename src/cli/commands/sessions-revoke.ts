// `moatless sessions revoke --user EMAIL`: ends every session of the user, on every replica. A user
// Moatless has never seen (no session in any state, no directory record) is an error, not
// "revoked 0": a typo in the address must not look like success.
import { loadDirectoryFacts } from '../../directory/directory-facts.ts';
import { SessionService } from '../../identity/sessions.ts';
import type { Store } from '../../store/ports.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { viaApiOrStore } from '../remote.ts';

async function isKnownUser(store: Store, email: string): Promise<boolean> {
  if (await store.sessions.countForUser({ email }) > 0) return true;
  return (await loadDirectoryFacts(store, email)) !== undefined;
}

export async function sessionsRevoke(args: ParsedArgs): Promise<number> {
  const email = flag(args, 'user')?.trim().toLowerCase();
  if (!email || !email.includes('@')) throw new UsageError('--user EMAIL is required');
  const done = (n: number) => process.stdout.write(`revoked ${n} session(s) of ${email}; every replica refuses them from the next request\n`);
  return viaApiOrStore(args, async (api) => {
    done((await api.post<{ revoked: number }>('/sessions/revoke', { by: 'user', email })).revoked);
    return 0;
  }, () => withConfigAndStore(args, async (store) => {
    if (!await isKnownUser(store, email)) {
      process.stderr.write(`sessions revoke: no user ${email} is known: no session (active, expired or revoked) `
        + 'and no provisioned directory user has this address; check the spelling\n');
      return 1;
    }
    const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
    try {
      done(await sessions.revokeUser({ email }, 'cli'));
      return 0;
    } finally {
      sessions.close();
    }
  }));
}
