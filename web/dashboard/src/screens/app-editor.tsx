// Create or edit an app kept by the admin API (apps from moatless.yaml are read-only and never open
// here). Saves with the ETag read when the form opened: if someone saved since, the API answers 412
// and the form says so, keeping what was typed.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { App } from '../types.ts';
import { Card, ErrorNote, Loading } from '../ui.tsx';
import { Field } from './tester.tsx';
import './editor.css';
import { FieldProblems, problemAt } from './rule-builder.tsx';

const lines = (s: string) =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);

export function AppEditorScreen({ go }: { go: (to: string) => void }) {
  const id = new URLSearchParams(location.search).get('id');
  const [etag, setEtag] = useState<string | null>(null);
  const [base, setBase] = useState<Record<string, unknown>>({});
  const [form, setForm] = useState({ id: '', name: '', hosts: '', upstream: '', identityProviders: '' });
  const [loading, setLoading] = useState(id !== null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  async function load() {
    if (id === null) return;
    setLoading(true);
    setError(null);
    try {
      const r = await api.read<App>(`/apps/${encodeURIComponent(id)}`);
      const d = r.data.definition ?? {};
      setEtag(r.etag);
      setBase(d);
      setForm({
        id: r.data.id,
        name: typeof d.name === 'string' ? d.name : '',
        hosts: (Array.isArray(d.hosts) ? d.hosts : r.data.hosts).join('\n'),
        upstream: typeof d.upstream === 'string' ? d.upstream : '',
        identityProviders: Array.isArray(d.identityProviders) ? d.identityProviders.join(', ') : '',
      });
    } catch (err) {
      setError(err as Error);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => void load(), [id]);

  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const idps = lines(form.identityProviders);
    // Keys this form does not show (assertion, identityHeaders, …) are kept as they were.
    const body = {
      ...base,
      id: form.id.trim(),
      hosts: lines(form.hosts),
      upstream: form.upstream.trim(),
      ...(form.name.trim() ? { name: form.name.trim() } : { name: undefined }),
      ...(idps.length ? { identityProviders: idps } : { identityProviders: undefined }),
    };
    try {
      if (id === null) await api.write('POST', '/apps', body);
      else await api.write('PUT', `/apps/${encodeURIComponent(id)}`, body, etag ?? undefined);
      go(`/apps?saved=${encodeURIComponent(body.id)}`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }

  if (loading) return <Loading label="Loading the app…" />;
  const fail = error instanceof ApiFailure ? error : null;
  return (
    <Card title={id === null ? 'New app' : `Edit app ${id}`}>
      <form class="form editor" onSubmit={save} aria-busy={busy}>
        <Field label="App id" name="id" value={form.id} set={set('id')} required placeholder="crm" error={problemAt(fail, 'body.id')} />
        <Field label="Display name" name="name" value={form.name} set={set('name')} placeholder="CRM" error={problemAt(fail, 'body.name')} />
        <div class="field">
          <label for="f-hosts">Hosts (one per line)</label>
          <textarea
            id="f-hosts"
            rows={3}
            required
            value={form.hosts}
            placeholder="crm.example.com"
            aria-invalid={problemAt(fail, 'body.hosts') ? true : undefined}
            onInput={(e) => set('hosts')(e.currentTarget.value)}
          />
          {problemAt(fail, 'body.hosts') && <span class="field-error">{problemAt(fail, 'body.hosts')}</span>}
        </div>
        <Field label="Upstream" name="upstream" value={form.upstream} set={set('upstream')} required placeholder="http://10.0.0.5:8080" error={problemAt(fail, 'body.upstream')} />
        <Field label="Identity providers (empty: all)" name="identityProviders" value={form.identityProviders} set={set('identityProviders')} placeholder="entra" error={problemAt(fail, 'body.identityProviders')} />
        {error && <SaveError error={error} onReload={load} />}
        <div class="form-actions">
          <button type="submit" class="btn" disabled={busy}>
            {busy ? 'Saving…' : id === null ? 'Create app' : 'Save app'}
          </button>
          <button type="button" class="btn secondary" onClick={() => go('/apps')}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}

/** The API's refusal, its field problems, and for a 412 a way to load the other person's version. */
export function SaveError({ error, onReload }: { error: Error; onReload: () => void }) {
  const fail = error instanceof ApiFailure ? error : null;
  return (
    <>
      <ErrorNote error={error} />
      {fail?.status === 412 && (
        <button type="button" class="btn secondary" onClick={onReload}>
          Load the latest version
        </button>
      )}
      <FieldProblems error={fail} />
    </>
  );
}
