// Create or edit an app kept by the admin API (apps from moatless.yaml are read-only and never open
// here). Saves with the ETag read when the form opened: if someone saved since, the API answers 412
// and the form says so, keeping what was typed.
import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { App } from '../types.ts';
import { Card, Loading, useLoad } from '../ui.tsx';
import { useEditor } from './editor-state.ts';
import { Field } from './tester.tsx';
import { FormActions, problemAt, SaveError } from './editor-parts.tsx';

const lines = (s: string) =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);

export function AppEditorScreen({ go }: { go: (to: string) => void }) {
  const id = new URLSearchParams(location.search).get('id');
  const [base, setBase] = useState<Record<string, unknown>>({});
  const [form, setForm] = useState({ id: '', name: '', hosts: '', upstream: '', identityProviders: '' });
  const { loading, busy, error, load, save: run } = useEditor<App>(id === null ? null : `/apps/${encodeURIComponent(id)}`, (app) => {
    const d = app.definition ?? {};
    setBase(d);
    setForm({
      id: app.id,
      name: typeof d.name === 'string' ? d.name : '',
      hosts: (Array.isArray(d.hosts) ? d.hosts : app.hosts).join('\n'),
      upstream: typeof d.upstream === 'string' ? d.upstream : '',
      identityProviders: Array.isArray(d.identityProviders) ? d.identityProviders.join(', ') : '',
    });
  });

  // The identity providers the served apps offer (every configured one appears on an app without a list).
  const idps = useLoad(() => api.get<{ items: App[] }>('/apps'), 'apps-idps');
  const offered = [...new Set((idps.data?.items ?? []).flatMap((a) => a.identityProviders))].sort();
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  function save(e: Event) {
    e.preventDefault();
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
    void run(
      (ifMatch) =>
        id === null ? api.write('POST', '/apps', body) : api.write('PUT', `/apps/${encodeURIComponent(id)}`, body, ifMatch),
      () => go(`/apps?saved=${encodeURIComponent(body.id)}`),
    );
  }

  if (loading) return <Loading label="Loading the app…" />;
  const fail = error instanceof ApiFailure ? error : null;
  return (
    <Card title={id === null ? 'New app' : `Edit app ${id}`}>
      <form class="form editor" onSubmit={save} aria-busy={busy}>
        <Field
          label="App id"
          name="id"
          value={form.id}
          set={set('id')}
          required
          placeholder="crm"
          error={problemAt(fail, 'body.id')}
        />
        <Field
          label="Display name"
          name="name"
          value={form.name}
          set={set('name')}
          placeholder="CRM"
          error={problemAt(fail, 'body.name')}
        />
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
        <Field
          label="Upstream"
          name="upstream"
          value={form.upstream}
          set={set('upstream')}
          required
          placeholder="http://10.0.0.5:8080"
          error={problemAt(fail, 'body.upstream')}
        />
        <Field
          label="Identity providers (empty: all)"
          name="identityProviders"
          value={form.identityProviders}
          set={set('identityProviders')}
          placeholder={offered.join(', ') || 'entra'}
          error={problemAt(fail, 'body.identityProviders')}
        />
        {offered.length > 0 && <p class="muted hint">Configured identity providers: {offered.join(', ')}</p>}
        {error && <SaveError error={error} onReload={load} />}
        <FormActions busy={busy} label={id === null ? 'Create app' : 'Save app'} onCancel={() => go('/apps')} />
      </form>
    </Card>
  );
}
