// The credentials machines use: SCIM tokens (Entra provisioning) and admin API tokens (automation),
// created here with the secret shown once (with a copy button) and revoked in two steps; service
// tokens from moatless.yaml, read-only. Must not: keep a secret after the person leaves the screen.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { AdminToken, Me, ScimToken, ServiceToken } from '../types.ts';
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

function ScimTokens({ me }: { me: Me }) {
  const list = useLoad(() => api.get<{ items: ScimToken[] }>('/tokens/scim'), 'scim-tokens');
  const w = useWrite(list.reload);
  const [created, setCreated] = useState<Created | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const r = await w.run(
      () => api.post<{ token: string; name: string }>('/tokens/scim', { name: f.get('name'), directory: f.get('directory') || undefined }),
      (x) => `SCIM token ${x.name} created.`,
    );
    if (!r) return;
    setCreated({ what: `SCIM token ${r.name}`, token: r.token });
    form.reset();
  };
  return (
    <Card title="SCIM tokens">
      <p class="muted">Entra provisioning sends one of these as its Secret Token. Revoking one stops provisioning with it at once.</p>
      {created && <SecretOnce created={created} onDone={() => setCreated(null)} />}
      {w.status && !created && <p class="success" role="status">{w.status}</p>}
      {w.error && <ErrorNote error={w.error} />}
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading label="Loading SCIM tokens…" />}
      {list.data?.items.length === 0 && <Empty>No SCIM tokens yet.</Empty>}
      {list.data && list.data.items.length > 0 && (
        <DataTable columns={['Name', 'Directory', 'State', 'Created', 'Last used', { hidden: 'Actions' }]}>
          {list.data.items.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.directory ?? t.directoryId}</td>
              <td><Badge value={t.state} kind={stateKind(t.state)} /></td>
              <td><Time iso={t.createdAt} /></td>
              <td><Time iso={t.lastUsedAt} /></td>
              <td class="row-actions">
                {me.canWrite && t.state === 'active' && (
                  <ConfirmDelete
                    verb="Revoke" label={`Revoke SCIM token ${t.name}`}
                    onConfirm={() => void w.run(() => api.write('DELETE', `/tokens/scim/${encodeURIComponent(t.id)}`), () => `SCIM token ${t.name} revoked.`)}
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {me.canWrite && (
        <form class="inline-form" onSubmit={create} aria-label="New SCIM token">
          <label>
            Name
            <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" placeholder="entra" />
          </label>
          <label>
            Directory
            <input name="directory" placeholder="default" pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" />
          </label>
          <button type="submit" class="btn">Create SCIM token</button>
        </form>
      )}
    </Card>
  );
}

function AdminTokens({ me }: { me: Me }) {
  const list = useLoad(() => api.get<{ items: AdminToken[] }>('/tokens/admin'), 'admin-tokens');
  const w = useWrite(list.reload);
  const [created, setCreated] = useState<Created | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const r = await w.run(
      () => api.post<{ token: string; name: string }>('/tokens/admin', { name: f.get('name'), scope: f.get('scope'), expiresInDays: Number(f.get('days')) }),
      (x) => `Admin API token ${x.name} created.`,
    );
    if (!r) return;
    setCreated({ what: `Admin API token ${r.name}`, token: r.token });
    form.reset();
  };
  return (
    <Card title="Admin API tokens">
      <p class="muted">For automation against this API (send as <code>Authorization: Bearer …</code>). Every token expires.</p>
      {created && <SecretOnce created={created} onDone={() => setCreated(null)} />}
      {w.status && !created && <p class="success" role="status">{w.status}</p>}
      {w.error && <ErrorNote error={w.error} />}
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading label="Loading admin API tokens…" />}
      {list.data?.items.length === 0 && <Empty>No admin API tokens yet.</Empty>}
      {list.data && list.data.items.length > 0 && (
        <DataTable columns={['Name', 'Scope', 'State', 'Created', 'Expires', 'Last used', { hidden: 'Actions' }]}>
          {list.data.items.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.scope}</td>
              <td><Badge value={t.state} kind={stateKind(t.state)} /></td>
              <td><Time iso={t.createdAt} /></td>
              <td><Time iso={t.expiresAt} /></td>
              <td><Time iso={t.lastUsedAt} /></td>
              <td class="row-actions">
                {me.canWrite && t.state === 'active' && (
                  <ConfirmDelete
                    verb="Revoke" label={`Revoke admin API token ${t.name}`}
                    onConfirm={() => void w.run(() => api.write('DELETE', `/tokens/admin/${encodeURIComponent(t.id)}`), () => `Admin API token ${t.name} revoked.`)}
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {me.canWrite && (
        <form class="inline-form" onSubmit={create} aria-label="New admin API token">
          <label>
            Name
            <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" placeholder="grafana" />
          </label>
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
          <button type="submit" class="btn">Create admin API token</button>
        </form>
      )}
    </Card>
  );
}

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
      <ScimTokens me={me} />
      <AdminTokens me={me} />
      <ServiceTokens />
    </>
  );
}
