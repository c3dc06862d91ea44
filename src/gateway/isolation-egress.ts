// The remote browser's way out (isolation's EgressSource), from the Gateway's side: through this
// process's Gateway when it runs one; otherwise through `isolation.proxy` — a Moatless Gateway on
// another host — with a per-session isolation pass all the same. Passes live in the shared store,
// so the Gateway there verifies it and treats the traffic as this user's, already isolated. Why
// not go without a credential (the old behaviour): that Gateway would then answer 407 (the browser
// could not browse) or, with `unidentified: anonymous`, evaluate the traffic with no user — rules
// naming users or groups (Block for a risk group) would not apply, and Isolate rules would isolate
// it again. A proxy that does not share the store refuses the pass (407): isolated browsing then
// fails closed, never anonymous. Must not: decide policy, or issue anything without a sign-in.
import type { Logger } from 'pino';
import type { DirectoryFactsSource } from '../access/context.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { EgressSource } from '../isolation/types.ts';
import type { KeyValueStore } from '../store/ports.ts';
import { IsolationPasses } from './isolation-pass.ts';

export interface IsolationEgressDeps {
  /** This process's Gateway (its dialable proxy URL and passes), or null without a `gateway:` section. */
  local(): { proxy: string; passes: IsolationPasses } | null;
  kv: KeyValueStore;
  sessions: Pick<SessionService, 'resolveById'>;
  directoryFacts?: DirectoryFactsSource | undefined;
  config(): Pick<ResolvedConfig, 'isolation'>;
  logger: Pick<Logger, 'warn'>;
}

export function isolationEgress(d: IsolationEgressDeps): EgressSource {
  let remotePasses: IsolationPasses | null = null;
  let warned = false;
  return async (user) => {
    const local = d.local();
    const remote = d.config().isolation.proxy;
    if (!local && !remote) {
      // Said here: with this source wired, isolation's own warning (no proxy and no source) cannot fire.
      if (!warned) d.logger.warn('isolation.proxy is not set and this process runs no Gateway: remote browsers reach the network DIRECTLY, bypassing Gateway egress policy');
      warned = true;
      return null;
    }
    const passes = local?.passes ?? (remotePasses ??= new IsolationPasses({
      kv: d.kv, sessions: d.sessions, directoryFacts: d.directoryFacts, lifetimeMs: () => d.config().isolation.lifecycle.maxDuration + 60_000,
    }));
    const pass = await passes.issue(user);
    const release = () => void pass.revoke().catch((err: unknown) => d.logger.warn({ err }, 'isolation: could not delete the ended session\'s proxy credential (it expires with the session maximum)'));
    return { proxy: local?.proxy ?? remote!, username: pass.username, password: pass.password, release };
  };
}
