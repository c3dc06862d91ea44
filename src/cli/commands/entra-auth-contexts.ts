// `moatless entra auth-contexts import [--idp ID]`: reads the tenant's Conditional Access
// authentication contexts from Microsoft Graph and stores them for the policy editor and checks.
import { runAuthContextsImport } from '../../identity/entra/auth-contexts.ts';
import { credentialFromSecrets } from '../../identity/entra/client-credential.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

export async function entraAuthContextsImport(args: ParsedArgs): Promise<number> {
  return withConfigAndStore(args, async (store, cfg) => {
    const wanted = flag(args, 'idp');
    const idp = cfg.identityProviders.find((p) => p.type === 'entra' && (!wanted || p.id === wanted));
    if (!idp || idp.type !== 'entra') throw new UsageError(wanted ? `no Entra identity provider "${wanted}" in the config` : 'the config has no Entra identity provider');
    await runAuthContextsImport(idp, credentialFromSecrets(cfg.secrets, idp.id), store, process.stdout);
    return 0;
  });
}
