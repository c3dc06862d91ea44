// Identity providers: moatless.yaml's read-only (GitOps), those created here editable (saved with
// If-Match) and deletable in two steps (the API refuses while an app offers one, and says which).
// Secrets are never typed here: the form names an environment variable (MOATLESS_IDP_…) that every
// replica has — the API takes nothing else (docs/admin-api.md says why).
import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { Me } from '../types.ts';
import { Badge, Card, ConfirmDelete, Empty, ErrorNote, Loading, useLoad } from '../ui.tsx';
import { FormActions, SaveError, problemAt } from './editor-parts.tsx';
import './tokens.css';

interface Idp {
  id: string;
  type: 'oidc' | 'entra';
  displayName: string | null;
  issuer: string;
  clientId: string;
  scopes: string[];
  apps: string[];
  source: 'config' | 'api';
  etag: string | null;
  definition: Record<string, unknown> | null;
  credential: { kind: string };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const envOf = (ref: unknown): string => (ref && typeof ref === 'object' && 'env' in ref ? text((ref as { env: unknown }).env) : '');

/** The body the API takes, from the form (the stored definition keeps fields the form does not show). */
function bodyOf(f: FormData, base: Record<string, unknown>, type: string): Record<string, unknown> {
  const opt = (k: string) => text(f.get(k)).trim() || undefined;
  const scopes = text(f.get('scopes')).split(/[\s,]+/).filter(Boolean);
  const common = {
    ...base, id: opt('id') ?? base['id'], type, displayName: opt('displayName'), clientId: opt('clientId'),
    clientSecret: { env: text(f.get('secretEnv')).trim() }, ...(scopes.length ? { scopes } : {}),
  };
  return type === 'oidc'
    ? { ...common, issuer: opt('issuer'), tenantId: undefined, cloud: undefined }
    : { ...common, tenantId: opt('tenantId'), cloud: opt('cloud') ?? 'global', issuer: undefined };
}

function IdpForm({ editing, onDone }: { editing: Idp | null; onDone: (msg: string | null) => void }) {
  const def = editing?.definition ?? {};
  const [type, setType] = useState<string>(editing?.type ?? 'oidc');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const fail = error instanceof ApiFailure ? error : null;
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = bodyOf(new FormData(e.currentTarget as HTMLFormElement), def, type);
    try {
      if (editing) await api.write('PUT', `/identity-providers/${encodeURIComponent(editing.id)}`, body, editing.etag ?? undefined);
      else await api.write('POST', '/identity-providers', body);
      onDone(`Saved identity provider ${String(body['id'])}. Every replica offers it now.`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const field = (name: string, label: string, value: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input name={name} defaultValue={value} aria-invalid={problemAt(fail, `body.${name}`) ? true : undefined} {...extra} />
      {problemAt(fail, `body.${name}`) && <span class="field-error">{problemAt(fail, `body.${name}`)}</span>}
    </label>
  );
  return (
    <Card title={editing ? `Edit ${editing.displayName ?? editing.id}` : 'New identity provider'}>
      <form class="form editor" onSubmit={save} aria-busy={busy} aria-label={editing ? 'Edit identity provider' : 'New identity provider'}>
        {!editing && field('id', 'Id (used in apps\' identityProviders)', '', { required: true, pattern: '[a-z0-9][a-z0-9_\\-]{0,62}' })}
        <label>
          Type
          <select name="type" value={type} disabled={!!editing} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="oidc">OpenID Connect (any provider)</option>
            <option value="entra">Microsoft Entra ID</option>
          </select>
        </label>
        {field('displayName', 'Display name (on the sign-in page)', text(def['displayName']))}
        {type === 'oidc' ? field('issuer', 'Issuer URL', text(def['issuer']), { required: true, type: 'url' })
          : field('tenantId', 'Tenant id', text(def['tenantId']), { required: true })}
        {field('clientId', 'Client id', text(def['clientId']), { required: true })}
        <label>
          Client secret: environment variable
          <input
            name="secretEnv" required pattern="MOATLESS_IDP_[A-Z0-9_]{1,64}" placeholder="MOATLESS_IDP_OKTA_SECRET"
            defaultValue={envOf(def['clientSecret'])} aria-describedby="secret-help"
            aria-invalid={problemAt(fail, 'body.clientSecret') ? true : undefined}
          />
          <span id="secret-help" class="muted">
            Set it on every replica; the secret itself is never sent to or stored by Moatless' API.
          </span>
          {problemAt(fail, 'body.clientSecret') && <span class="field-error">{problemAt(fail, 'body.clientSecret')}</span>}
        </label>
        {field('scopes', 'Scopes (space-separated; empty: openid email profile)', Array.isArray(def['scopes']) ? (def['scopes'] as string[]).join(' ') : '')}
        {error && <SaveError error={error} onReload={() => onDone(null)} />}
        <FormActions busy={busy} label={editing ? 'Save identity provider' : 'Create identity provider'} onCancel={() => onDone(null)} />
      </form>
    </Card>
  );
}

export function IdentityProvidersScreen({ me }: { me: Me }) {
  const list = useLoad(() => api.get<{ items: Idp[] }>('/identity-providers'), 'idps');
  const [form, setForm] = useState<{ editing: Idp | null } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const done = (msg: string | null) => {
    setForm(null);
    if (msg) setStatus(msg);
    list.reload();
  };
  const remove = async (p: Idp) => {
    setError(null);
    try {
      await api.write('DELETE', `/identity-providers/${encodeURIComponent(p.id)}`, undefined, p.etag ?? undefined);
      setStatus(`Deleted identity provider ${p.id}.`);
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <>
      <div class="toolbar">
        <p class="notice" role="note">
          Those marked <Badge value="from config" kind="neutral" /> come from <code>moatless.yaml</code> and are changed there.
          Those marked <Badge value="API" kind="info" /> were created here.
        </p>
        {me.canWrite && !form && (
          <button type="button" class="btn" onClick={() => setForm({ editing: null })}>
            New identity provider
          </button>
        )}
      </div>
      {status && <p class="success" role="status">{status}</p>}
      {error && <ErrorNote error={error} />}
      {form && <IdpForm editing={form.editing} onDone={done} key={form.editing?.etag ?? 'new'} />}
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading label="Loading identity providers…" />}
      {list.data?.items.length === 0 && <Empty>No identity providers.</Empty>}
      {list.data?.items.map((p) => (
        <Card
          key={p.id}
          title={p.displayName ?? p.id}
          actions={
            <span class="card-actions">
              {p.source === 'api' ? <Badge value="API" kind="info" /> : <Badge value="from config" kind="neutral" />}
              {p.source === 'api' && me.canWrite && (
                <>
                  <button type="button" class="btn secondary" onClick={() => setForm({ editing: p })}>
                    Edit<span class="sr-only"> identity provider {p.id}</span>
                  </button>
                  <ConfirmDelete label={`Delete identity provider ${p.id}`} onConfirm={() => void remove(p)} />
                </>
              )}
            </span>
          }
        >
          <dl class="facts inline">
            <dt>Id</dt>
            <dd><code>{p.id}</code></dd>
            <dt>Type</dt>
            <dd>{p.type === 'entra' ? 'Microsoft Entra ID' : 'OpenID Connect'}</dd>
            <dt>Issuer</dt>
            <dd><code>{p.issuer}</code></dd>
            <dt>Client id</dt>
            <dd><code>{p.clientId}</code></dd>
            <dt>Credential</dt>
            <dd>{p.credential.kind === 'clientCertificate' ? 'certificate' : 'client secret'} (never shown)</dd>
            <dt>Offered by</dt>
            <dd>{p.apps.length ? p.apps.join(', ') : <span class="muted">no app</span>}</dd>
          </dl>
        </Card>
      ))}
    </>
  );
}
