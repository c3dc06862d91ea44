// `moatless entra auth-contexts import [--idp ID] [--url URL]`: reads the tenant's Conditional
// Access authentication contexts from Microsoft Graph and stores them for the policy editor and
// checks — from this machine with the config's credential, or with --url on the running server
// (POST /identity-providers/{id}/auth-contexts/import), which holds the credential itself.
import { printAuthContexts, runAuthContextsImport } from '../../identity/entra/auth-contexts.ts';
import { credentialFromSecrets } from '../../identity/entra/client-credential.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { viaApiOrStore } from '../remote.ts';
import type { AuthContext } from '../../identity/entra/auth-contexts.ts';

export async function entraAuthContextsImport(args: ParsedArgs): Promise<number> {
  const wanted = flag(args, 'idp');
  const missing = (where: string) => new UsageError(wanted ? `no Entra identity provider "${wanted}" ${where}` : `no Entra identity provider ${where}`);
  return viaApiOrStore(args, async (api) => {
    const { items } = await api.get<{ items: { id: string; type: string }[] }>('/identity-providers');
    const idp = items.find((p) => p.type === 'entra' && (!wanted || p.id === wanted));
    if (!idp) throw missing('on the server');
    const r = await api.post<{ identityProvider: string; items: AuthContext[] }>(`/identity-providers/${encodeURIComponent(idp.id)}/auth-contexts/import`, {});
    printAuthContexts(process.stdout, r.identityProvider, r.items);
    return 0;
  }, () => withConfigAndStore(args, async (store, cfg) => {
    const idp = cfg.identityProviders.find((p) => p.type === 'entra' && (!wanted || p.id === wanted));
    if (!idp || idp.type !== 'entra') throw missing('in the config');
    await runAuthContextsImport(idp, credentialFromSecrets(cfg.secrets, idp.id), store, process.stdout);
    return 0;
  }));
}
