// The credentials machines use: SCIM tokens (Entra provisioning), admin API tokens (automation) and
// connector tokens (tunnels), created here through one form with each kind's own fields, the secret
// shown once (with a copy button), and revoked in two steps; service tokens from moatless.yaml,
// read-only. Must not: keep a secret after the person leaves the screen.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { AdminToken, Me, ScimToken, ServiceToken, TunnelToken } from '../types.ts';
import { Badge, Card, ConfirmDelete, DataTable, Empty, ErrorNote, Loading, Time, useLoad } from '../ui.tsx';
import './tokens.css';

interface Created { what: string; token: string }

/** The new secret, once: it is not stored anywhere the dashboard could show it again. */
function SecretOnce({ created, onDone }: { created: Created; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div class="secret-once" role="status">
      <p>
        <strong>{created.what} created.</strong> Copy the token now: it is shown only this once (Moatless keeps only its
        hash).
      </p>
      <p class="secret-line">
        <code data-secret>{created.token}</code>
        <button type="button" class="btn small" onClick={copy}>
          Copy token
        </button>
        <span aria-live="polite">{copied === true ? 'Copied.' : copied === false ? 'Copying was refused: select the token and copy it.' : ''}</span>
      </p>
      <button type="button" class="btn secondary small" onClick={onDone}>
        Done, hide it
      </button>
    </div>
  );
}

function useWrite(after: () => void) {
  const [error, setError] = useState<Error | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const run = async <T,>(work: () => Promise<T>, done: (r: T) => string): Promise<T | null> => {
    setError(null);
    setStatus(null);
    try {
      const r = await work();
      setStatus(done(r));
      after();
      return r;
    } catch (err) {
      setError(err as Error);
      return null;
    }
  };
  return { error, status, run };
}

const stateKind = (s: string) => (s === 'active' ? 'ok' : 'neutral');
const NAME_PATTERN = '[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}';
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface TokenRow { id: string; name: string; state: string }

/** What differs between the kinds of token this screen creates and revokes; the rest is TokenCard. */
interface TokenKind<T extends TokenRow> {
  /** Singular, as in a sentence: "SCIM token", "admin API token". */
  noun: string;
  /** `/tokens/scim`: GET lists, POST creates, DELETE `{path}/{id}` revokes. */
  path: string;
  intro: ComponentChildren;
  /** Column headers between Name and the actions, and the row's cells for them. */
  columns: string[];
  cells(t: T): ComponentChildren;
  namePlaceholder: string;
  /** The create form's fields besides Name. */
  fields: ComponentChildren;
  /** The POST body from the form (its `name` field included). */
  body(f: FormData): Record<string, unknown>;
}

/** One create form for every kind of token: Name, the kind's own fields, and the submit button. */
function CreateTokenForm({ noun, namePlaceholder, fields, onSubmit }: {
  noun: string; namePlaceholder: string; fields: ComponentChildren; onSubmit: (e: Event) => void;
}) {
  return (
    <form class="inline-form" onSubmit={onSubmit} aria-label={`New ${noun}`}>
      <label>
        Name
        <input name="name" required pattern={NAME_PATTERN} placeholder={namePlaceholder} />
      </label>
      {fields}
      <button type="submit" class="btn">Create {noun}</button>
    </form>
  );
}

function TokenCard<T extends TokenRow>({ me, kind }: { me: Me; kind: TokenKind<T> }) {
  const plural = `${kind.noun}s`;
  const list = useLoad(() => api.get<{ items: T[] }>(kind.path), kind.path);
  const w = useWrite(list.reload);
  const [created, setCreated] = useState<Created | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const r = await w.run(
      () => api.post<{ token: string; name: string }>(kind.path, kind.body(new FormData(form))),
      (x) => `${sentence(kind.noun)} ${x.name} created.`,
    );
    if (!r) return;
    setCreated({ what: `${sentence(kind.noun)} ${r.name}`, token: r.token });
    form.reset();
  };
  return (
    <Card title={sentence(plural)}>
      <p class="muted">{kind.intro}</p>
      {created && <SecretOnce created={created} onDone={() => setCreated(null)} />}
      {w.status && !created && <p class="success" role="status">{w.status}</p>}
      {w.error && <ErrorNote error={w.error} />}
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading label={`Loading ${plural}…`} />}
      {list.data?.items.length === 0 && <Empty>No {plural} yet.</Empty>}
      {list.data && list.data.items.length > 0 && (
        <DataTable columns={['Name', ...kind.columns, { hidden: 'Actions' }]}>
          {list.data.items.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              {kind.cells(t)}
              <td class="row-actions">
                {me.canWrite && t.state === 'active' && (
                  <ConfirmDelete
                    verb="Revoke" label={`Revoke ${kind.noun} ${t.name}`}
                    onConfirm={() => void w.run(() => api.write('DELETE', `${kind.path}/${encodeURIComponent(t.id)}`), () => `${sentence(kind.noun)} ${t.name} revoked.`)}
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {me.canWrite && <CreateTokenForm noun={kind.noun} namePlaceholder={kind.namePlaceholder} fields={kind.fields} onSubmit={create} />}
    </Card>
  );
}

const SCIM: TokenKind<ScimToken> = {
  noun: 'SCIM token', path: '/tokens/scim', namePlaceholder: 'entra',
  intro: 'Entra provisioning sends one of these as its Secret Token. Revoking one stops provisioning with it at once.',
  columns: ['Directory', 'State', 'Created', 'Last used'],
  cells: (t) => (
    <>
      <td>{t.directory ?? t.directoryId}</td>
      <td><Badge value={t.state} kind={stateKind(t.state)} /></td>
      <td><Time iso={t.createdAt} /></td>
      <td><Time iso={t.lastUsedAt} /></td>
    </>
  ),
  fields: (
    <label>
      Directory
      <input name="directory" placeholder="default" pattern={NAME_PATTERN} />
    </label>
  ),
  body: (f) => ({ name: f.get('name'), directory: f.get('directory') || undefined }),
};

const ADMIN: TokenKind<AdminToken> = {
  noun: 'admin API token', path: '/tokens/admin', namePlaceholder: 'grafana',
  intro: <>For automation against this API (send as <code>Authorization: Bearer …</code>). Every token expires.</>,
  columns: ['Scope', 'State', 'Created', 'Expires', 'Last used'],
  cells: (t) => (
    <>
      <td>{t.scope}</td>
      <td><Badge value={t.state} kind={stateKind(t.state)} /></td>
      <td><Time iso={t.createdAt} /></td>
      <td><Time iso={t.expiresAt} /></td>
      <td><Time iso={t.lastUsedAt} /></td>
    </>
  ),
  fields: (
    <>
      <label>
        Scope
        <select name="scope">
          <option value="read">read</option>
          <option value="write">write</option>
        </select>
      </label>
      <label>
        Expires in (days)
        <input name="days" type="number" min={1} max={366} value={30} required />
      </label>
    </>
  ),
  body: (f) => ({ name: f.get('name'), scope: f.get('scope'), expiresInDays: Number(f.get('days')) }),
};

const TUNNEL: TokenKind<TunnelToken> = {
  noun: 'connector token', path: '/tokens/tunnel', namePlaceholder: 'branch-1',
  intro: <>A connector (<code>moatless connector --token-file …</code>) serves its tunnel with one of these. Revoking one disconnects its connectors at once.</>,
  columns: ['Tunnel', 'State', 'Created'],
  cells: (t) => (
    <>
      <td><code>{t.tunnel}</code></td>
      <td><Badge value={t.state} kind={stateKind(t.state)} /></td>
      <td><Time iso={t.createdAt} /></td>
    </>
  ),
  fields: (
    <label>
      Tunnel
      <input name="tunnel" required pattern="[a-z0-9][a-z0-9_\-]{0,62}" placeholder="intranet" />
    </label>
  ),
  body: (f) => ({ name: f.get('name'), tunnel: f.get('tunnel') }),
};

function ServiceTokens() {
  const list = useLoad(() => api.get<{ items: ServiceToken[] }>('/tokens/service'), 'service-tokens');
  return (
    <Card title="Service tokens" actions={<Badge value="from config" kind="neutral" />}>
      <p class="muted">
        Machine clients of protected apps, defined in <code>moatless.yaml</code> (<code>serviceTokens</code>) with their secrets; change them there.
      </p>
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {list.data?.items.length === 0 && <Empty>No service tokens in moatless.yaml.</Empty>}
      {list.data && list.data.items.length > 0 && (
        <DataTable columns={['Name', 'Client id', 'State', 'Expires']}>
          {list.data.items.map((t) => (
            <tr key={t.name}>
              <td>{t.name}</td>
              <td><code>{t.clientId}</code></td>
              <td><Badge value={t.state} kind={stateKind(t.state)} /></td>
              <td>{t.expiresAt ? <Time iso={t.expiresAt} /> : <span class="muted">never</span>}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}

export function TokensScreen({ me }: { me: Me }) {
  return (
    <>
      <TokenCard me={me} kind={SCIM} />
      <TokenCard me={me} kind={ADMIN} />
      <TokenCard me={me} kind={TUNNEL} />
      <ServiceTokens />
    </>
  );
}
