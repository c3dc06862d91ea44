// Create or edit a policy of an app kept by the admin API. Offers the groups synced by SCIM (every
// directory's first page of 500), the groups and auth contexts other policies use, and Entra's
// auth-context ids (c1…c25). Saves with the ETag read when the form opened (412 → say so).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { Directory, DirectoryGroup, Page, Policy } from '../types.ts';
import { Card, Loading } from '../ui.tsx';
import { FormActions, problemAt, SaveError } from './editor-parts.tsx';
import { useEditor } from './editor-state.ts';
import { Field } from './tester.tsx';
import { RuleRows, Suggestions, toRows, toRules, type RuleRow } from './rule-builder.tsx';

const ACTIONS = ['allow', 'block', 'bypass', 'service_auth'] as const;

/** Values of `selector` in these policies' rules. */
function used(policies: Policy[], selector: string): string[] {
  return policies.flatMap((p) =>
    [...p.include, ...p.require, ...p.exclude].flatMap((r) => {
      const v = r[selector];
      return Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
    }),
  );
}

async function suggestions(): Promise<Record<string, string[]>> {
  const [policies, dirs] = await Promise.all([
    api.get<{ items: Policy[] }>('/policies'),
    api.get<{ items: Directory[] }>('/directory/directories').catch(() => ({ items: [] })),
  ]);
  const synced = await Promise.all(
    dirs.items.map((d) =>
      api.get<Page<DirectoryGroup>>('/directory/groups', { directory: d.id, limit: 500 }).catch(() => ({ items: [] })),
    ),
  );
  const uniq = (xs: string[]) => [...new Set(xs)].sort((a, b) => a.localeCompare(b));
  const groups = uniq([...synced.flatMap((p) => p.items.map((g) => g.displayName)), ...used(policies.items, 'group')]);
  return {
    group: groups,
    directoryGroup: uniq([...synced.flatMap((p) => p.items.map((g) => g.displayName)), ...used(policies.items, 'directoryGroup')]),
    authContext: uniq([...used(policies.items, 'authContext'), ...Array.from({ length: 25 }, (_, i) => `c${i + 1}`)]),
    riskLevel: ['none', 'low', 'medium', 'high'],
  };
}

export function PolicyEditorScreen({ go }: { go: (to: string) => void }) {
  const q = new URLSearchParams(location.search);
  const id = q.get('id');
  const [app, setApp] = useState(q.get('app') ?? '');
  const [form, setForm] = useState({ name: '', action: 'allow', sessionDuration: '', order: '' });
  const [include, setInclude] = useState<RuleRow[]>([{ selector: 'group', value: '' }]);
  const [require, setRequire] = useState<RuleRow[]>([]);
  const [exclude, setExclude] = useState<RuleRow[]>([]);
  const [offer, setOffer] = useState<Record<string, string[]>>({});
  const { loading, busy, error, load, save: run } = useEditor<Policy>(id === null ? null : `/policies/${encodeURIComponent(id)}`, (p) => {
    const d = p.definition ?? {};
    setApp(p.app);
    setForm({
      name: p.name,
      action: p.action,
      sessionDuration: p.sessionDuration ?? '',
      order: typeof d.order === 'number' ? String(d.order) : '',
    });
    setInclude(toRows(p.include));
    setRequire(toRows(p.require));
    setExclude(toRows(p.exclude));
  });
  useEffect(() => void suggestions().then(setOffer, () => setOffer({})), []);

  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  function save(e: Event) {
    e.preventDefault();
    const body = {
      app,
      name: form.name.trim(),
      action: form.action,
      include: toRules(include),
      ...(require.length ? { require: toRules(require) } : {}),
      ...(exclude.length ? { exclude: toRules(exclude) } : {}),
      ...(form.sessionDuration.trim() ? { sessionDuration: form.sessionDuration.trim() } : {}),
      ...(form.order.trim() ? { order: Number(form.order) } : {}),
    };
    void run(
      (ifMatch) =>
        id === null ? api.write('POST', '/policies', body) : api.write('PUT', `/policies/${encodeURIComponent(id)}`, body, ifMatch),
      () => go(`/apps?saved=${encodeURIComponent(app)}`),
    );
  }

  if (loading) return <Loading label="Loading the policy…" />;
  const fail = error instanceof ApiFailure ? error : null;
  const rules = { error: fail, suggestions: offer };
  return (
    <Card title={id === null ? `New policy for ${app}` : `Edit policy ${form.name} of ${app}`}>
      <Suggestions suggestions={offer} />
      <form class="form editor" onSubmit={save} aria-busy={busy}>
        <Field
          label="Policy name"
          name="name"
          value={form.name}
          set={set('name')}
          required
          placeholder="staff"
          error={problemAt(fail, 'body.name')}
        />
        <div class="field">
          <label for="f-action">Action</label>
          <select id="f-action" value={form.action} onChange={(e) => set('action')(e.currentTarget.value)}>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <RuleRows
          label="Include"
          hint="(any one matches)"
          rows={include}
          set={setInclude}
          path="body.include"
          {...rules}
        />
        <RuleRows
          label="Require"
          hint="(all must match)"
          rows={require}
          set={setRequire}
          path="body.require"
          {...rules}
        />
        <RuleRows
          label="Exclude"
          hint="(any one refuses)"
          rows={exclude}
          set={setExclude}
          path="body.exclude"
          {...rules}
        />
        <Field
          label="Session duration (optional)"
          name="sessionDuration"
          value={form.sessionDuration}
          set={set('sessionDuration')}
          placeholder="8h"
          error={problemAt(fail, 'body.sessionDuration')}
        />
        <Field
          label="Order (optional, lower first)"
          name="order"
          type="number"
          value={form.order}
          set={set('order')}
          placeholder="0"
          error={problemAt(fail, 'body.order')}
        />
        {error && <SaveError error={error} onReload={load} />}
        <FormActions busy={busy} label={id === null ? 'Create policy' : 'Save policy'} onCancel={() => go('/apps')} />
      </form>
    </Card>
  );
}
