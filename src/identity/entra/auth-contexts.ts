// Entra authentication contexts (c1…c99): listing them from Microsoft Graph, saving the imported
// list per identity provider in the store's key-value repository, and the command behind
// `moatless entra auth-contexts import`. Must not write anything when the Graph read failed or
// returned something it cannot validate (the previous import stays).
import { z } from 'zod';
import type { EntraIdpConfig } from '../../config/schema/identity.ts';
import type { KeyValueStore, Store } from '../../store/ports.ts';
import type { EntraClientCredential } from './client-credential.ts';
import { EntraGraphClient, GraphError, type GraphClient } from './graph-client.ts';
import { entraEndpoints } from './clouds.ts';

export const AUTH_CONTEXTS_NS = 'entra.authContexts';

const authContextSchema = z.object({
  // Entra allows the ids c1…c99 (authenticationContextClassReference resource).
  id: z.string().regex(/^c[1-9][0-9]?$/),
  displayName: z.string(),
  description: z.string().nullable().optional().transform((d) => d ?? ''),
  isAvailable: z.boolean(),
});

export type AuthContext = z.infer<typeof authContextSchema>;

const savedSchema = z.object({ importedAt: z.number(), contexts: z.array(authContextSchema) });

/** `GET /identity/conditionalAccess/authenticationContextClassReferences` (needs Policy.Read.ConditionalAccess). */
export async function listAuthenticationContexts(graph: GraphClient): Promise<AuthContext[]> {
  const items = await graph.getAll('/identity/conditionalAccess/authenticationContextClassReferences');
  return items.map((raw, i) => {
    const parsed = authContextSchema.safeParse(raw);
    if (!parsed.success) throw new GraphError(200, 'invalid_response', `authentication context #${i} from Microsoft Graph is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const { id, displayName, description, isAvailable } = parsed.data;
    return { id, displayName, description, isAvailable };
  }).sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
}

/** Replaces the imported list for `idpId` in one write. */
export async function importAuthContexts(kv: KeyValueStore, idpId: string, list: readonly AuthContext[], now: () => number = Date.now): Promise<void> {
  await kv.set(AUTH_CONTEXTS_NS, idpId, JSON.stringify({ importedAt: now(), contexts: list }));
}

/** The last imported list for `idpId`; empty when none was imported or the saved value is unreadable. */
export async function listImportedAuthContexts(kv: KeyValueStore, idpId: string): Promise<AuthContext[]> {
  const raw = await kv.get(AUTH_CONTEXTS_NS, idpId);
  if (raw === null) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return [];
  }
  const parsed = savedSchema.safeParse(json);
  return parsed.success ? parsed.data.contexts : [];
}

export interface CommandOutput {
  write(chunk: string): unknown;
}

/**
 * `moatless entra auth-contexts import`: reads the tenant's contexts and saves them. Returns the
 * list; Graph and token errors propagate (GraphError, EntraTokenError) for the CLI to print.
 */
export async function runAuthContextsImport(
  cfg: EntraIdpConfig,
  /** The app's credential; a bare string is a client secret (what older callers pass). */
  credential: EntraClientCredential | string,
  store: Pick<Store, 'kv'>,
  out: CommandOutput,
  deps: { fetch?: typeof fetch; graph?: GraphClient } = {},
): Promise<AuthContext[]> {
  const ep = entraEndpoints(cfg);
  const graph = deps.graph ?? new EntraGraphClient({
    tokenUrl: ep.tokenUrl, graphBase: ep.graphBase, tenantId: cfg.tenantId, clientId: cfg.clientId,
    credential: typeof credential === 'string' ? { kind: 'secret', secret: credential } : credential,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const list = await listAuthenticationContexts(graph);
  await importAuthContexts(store.kv, cfg.id, list);
  printAuthContexts(out, cfg.id, list);
  return list;
}

/** What the import command prints, whether it ran here or on the server (`--url`). */
export function printAuthContexts(out: CommandOutput, idpId: string, list: readonly AuthContext[]): void {
  out.write(`Imported ${list.length} authentication context${list.length === 1 ? '' : 's'} for identity provider ${idpId}:\n`);
  for (const c of list) out.write(`  ${c.id.padEnd(4)} ${c.isAvailable ? 'available  ' : 'unavailable'} ${c.displayName}${c.description ? ` — ${c.description}` : ''}\n`);
  if (list.some((c) => !c.isAvailable)) out.write('Unavailable contexts cannot be requested by apps until they are published in Entra.\n');
}
