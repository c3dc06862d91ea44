// `moatless entra auth-contexts import [--idp ID]`: reads the tenant's Conditional Access
// authentication contexts from Microsoft Graph and stores them for the policy editor and checks.
import { runAuthContextsImport } from '../../identity/entra/auth-contexts.ts';
import { openStore } from '../../store/open-store.ts';
import { UsageError, flag, type ParsedArgs } from '../args.ts';
import { storeConfigOf } from '../compose.ts';
import { ConfigLoadFailed, loadConfigOrExplain } from '../load-config.ts';

export async function entraAuthContextsImport(args: ParsedArgs): Promise<number> {
  let cfg;
  try {
    cfg = loadConfigOrExplain(args);
  } catch (e) {
    if (e instanceof ConfigLoadFailed) return 1;
    throw e;
  }
  const wanted = flag(args, 'idp');
  const idp = cfg.identityProviders.find((p) => p.type === 'entra' && (!wanted || p.id === wanted));
  if (!idp || idp.type !== 'entra') throw new UsageError(wanted ? `no Entra identity provider "${wanted}" in the config` : 'the config has no Entra identity provider');
  const store = await openStore(storeConfigOf(cfg), {});
  try {
    await runAuthContextsImport(idp, cfg.secrets.idpClientSecrets.get(idp.id) ?? '', store, process.stdout);
    return 0;
  } finally {
    await store.close();
  }
}
