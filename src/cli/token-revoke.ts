// `moatless scim|admin|tunnel token revoke --name NAME`, one way for every kind of token: find the
// unrevoked tokens with that name — in the admin API's list with `--url`, else in the store —,
// revoke each by id, and say what happened in one style. Owns: that loop and its messages. Must
// not: decide what a revoke does beyond the id (the store's or the API's revoke does).
import type { Store } from '../store/ports.ts';
import type { ParsedArgs } from './args.ts';
import { withConfigAndStore } from './load-config.ts';
import { viaApiOrStore } from './remote.ts';

export interface TokenKind {
  /** The token as the messages name it: `SCIM token`, `admin token`, `tunnel token`. */
  noun: string;
  /** The admin API collection; its list answers `{items: [{id, name, state}]}`, DELETE `<path>/<id>` revokes one. */
  apiPath: string;
  /** What revoking changed, said after it: `SCIM requests with it now get 401`. */
  effect: string;
  /** The store side: revokes the unrevoked tokens named `name` (audited where the kind audits) and returns how many. */
  revokeInStore(store: Store, name: string, now: number): Promise<number>;
}

/** Revokes every unrevoked token named `name`; exit 1 (with a message on stderr) when there was none. */
export function revokeTokensByName(args: ParsedArgs, name: string, kind: TokenKind): Promise<number> {
  return viaApiOrStore(args, async (api) => {
    const { items } = await api.get<{ items: { id: string; name: string; state: string }[] }>(kind.apiPath);
    const live = items.filter((t) => t.name === name && t.state !== 'revoked');
    for (const t of live) await api.delete(`${kind.apiPath}/${encodeURIComponent(t.id)}`);
    return reportRevoked(kind, name, live.length);
  }, () => withConfigAndStore(args, async (store) => reportRevoked(kind, name, await kind.revokeInStore(store, name, Date.now()))));
}

/** A store's token list with revoke by id (SCIM and admin tokens). */
interface RevocableTokens {
  list(): Promise<{ id: string; name: string; revokedAt: number | null }[]>;
  revoke(id: string, at: number): Promise<boolean>;
}

/** Revokes the unrevoked tokens named `name` in one store list; returns how many it revoked. */
export async function revokeNamed(tokens: RevocableTokens, name: string, now: number): Promise<number> {
  let n = 0;
  for (const t of await tokens.list()) {
    if (t.name === name && t.revokedAt === null && (await tokens.revoke(t.id, now))) n++;
  }
  return n;
}

function reportRevoked(kind: TokenKind, name: string, count: number): number {
  if (count === 0) {
    process.stderr.write(`no live ${kind.noun} named "${name}"\n`);
    return 1;
  }
  process.stdout.write(`revoked ${count} ${kind.noun}(s) named "${name}"; ${kind.effect}\n`);
  return 0;
}
