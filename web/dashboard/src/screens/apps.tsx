// Apps and their policies: those from moatless.yaml read-only (GitOps), marked "from config"; those
// created here (stored, marked "API") with Edit and Delete, and new ones through the editors.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { App, Me, Policy, Rule } from '../types.ts';
import { moved as movedTo, saveOrder } from './policy-order.ts';
import { Badge, Card, ConfirmDelete, Empty, ErrorNote, Loading, useLoad } from '../ui.tsx';
import './editor.css';

export function AppsScreen({ go, me }: { go: (path: string) => void; me: Me }) {
  const apps = useLoad(() => api.get<{ items: App[] }>('/apps'), 'apps');
  const notServed = useLoad(() => api.get<{ items: { path: string; message: string }[] }>('/config-objects/not-served'), 'not-served');
  const saved = new URLSearchParams(location.search).get('saved');
  const [status, setStatus] = useState<string | null>(saved ? `Saved. Every replica serves the change now.` : null);
  const [error, setError] = useState<Error | null>(null);
  const remove = async (what: string, path: string, etag: string | null) => {
    setError(null);
    try {
      await api.write('DELETE', path, undefined, etag ?? undefined);
      setStatus(`Deleted ${what}.`);
      apps.reload();
      notServed.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  // After a move the list is re-read; once it is shown, the moved policy's button gets the keyboard
  // focus back and the result is announced (so both happen on the list as it now is).
  const [moved, setMoved] = useState<{ focus: string; message: string | null } | null>(null);
  useEffect(() => {
    if (!moved || !apps.data) return;
    const [id, dir] = moved.focus.split(' ');
    const mine = [...document.querySelectorAll<HTMLButtonElement>('button[data-move]')].filter((b) => b.dataset['move']?.startsWith(`${id} `));
    (mine.find((b) => b.dataset['move'] === `${id} ${dir}` && !b.disabled) ?? mine.find((b) => !b.disabled))?.focus();
    if (moved.message) setStatus(moved.message);
    setMoved(null);
  }, [apps.data]);
  const move = async (app: string, policies: Policy[], from: number, to: number) => {
    setError(null);
    setStatus(null);
    const p = policies[from]!;
    let message: string | null = null;
    try {
      await saveOrder(app, movedTo(policies, from, to));
      message = `Moved policy ${p.name} to position ${to + 1}. Every replica evaluates the new order now.`;
    } catch (err) {
      setError(err as Error);
    }
    setMoved({ focus: `${p.id} ${to < from ? 'up' : 'down'}`, message });
    apps.reload();
  };
  return (
    <>
      <div class="toolbar">
        <p class="notice" role="note">
          <strong>Read-only</strong> when marked <Badge value="from config" kind="neutral" />: those come from{' '}
          <code>moatless.yaml</code>, the source of truth; change them there and run <code>moatless config check</code>.
          Those marked{' '}
          <Badge value="API" kind="info" /> were created here and can be edited.
        </p>
        {me.canWrite && (
          <button type="button" class="btn" onClick={() => go('/apps/edit')}>
            New app
          </button>
        )}
      </div>
      {notServed.data && notServed.data.items.length > 0 && (
        <div class="error" role="alert">
          <strong>Not served: objects created here that no longer fit moatless.yaml</strong>
          <p>Their apps are left out whole (never served with some policies missing). Fix or delete them:</p>
          <ul class="problems">
            {notServed.data.items.map((i) => (
              <li key={i.path + i.message}>
                <code>{i.path}</code> {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {status && (
        <p class="success" role="status">
          {status}
        </p>
      )}
      {error && <ErrorNote error={error} onRetry={apps.reload} />}
      {apps.error && <ErrorNote error={apps.error} onRetry={apps.reload} />}
      {apps.loading && !apps.data && <Loading label="Loading apps…" />}
      {apps.data?.items.length === 0 && <Empty>No apps are configured.</Empty>}
      {apps.data?.items.map((a) => {
        const editable = a.source === 'api' && me.canWrite;
        return (
          <Card
            key={a.id}
            title={a.name}
            actions={
              <span class="card-actions">
                {a.source === 'api' ? <Badge value="API" kind="info" /> : <Badge value="from config" kind="neutral" />}
                {editable && (
                  <>
                    <button type="button" class="btn secondary" onClick={() => go(`/apps/edit?id=${encodeURIComponent(a.id)}`)}>
                      Edit app
                    </button>
                    <button type="button" class="btn secondary" onClick={() => go(`/policies/edit?app=${encodeURIComponent(a.id)}`)}>
                      Add policy
                    </button>
                    <ConfirmDelete
                      label={`Delete app ${a.name}`}
                      onConfirm={() => remove(`app ${a.name} and its policies`, `/apps/${encodeURIComponent(a.id)}`, a.etag)}
                    />
                  </>
                )}
                <button
                  type="button"
                  class="btn secondary"
                  onClick={() => go(`/tester?url=${encodeURIComponent(`https://${a.hosts[0] ?? ''}/`)}`)}
                >
                  Test access
                </button>
              </span>
            }
          >
            <dl class="facts inline">
              <dt>Hosts</dt>
              <dd>
                {a.hosts.map((h) => (
                  <code key={h}>{h}</code>
                ))}
              </dd>
              <dt>Upstream</dt>
              <dd>
                <code>{a.upstream}</code>
              </dd>
              <dt>Sign-in</dt>
              <dd>{a.identityProviders.join(', ')}</dd>
              <dt>WebSockets</dt>
              <dd>{a.websockets ? 'yes' : 'no'}</dd>
              {a.updatedBy && (
                <>
                  <dt>Changed</dt>
                  <dd>
                    by {a.updatedBy.replace(/^user:/, '')}
                  </dd>
                </>
              )}
            </dl>
            {a.policies.length === 0 && <Empty>No policies yet: every request is denied (deny by default).</Empty>}
            {a.policies.length > 0 && (
              <table>
                <caption class="sr-only">Policies of {a.name}, in evaluation order</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Policy</th>
                    <th scope="col">Action</th>
                    <th scope="col">Include (any)</th>
                    <th scope="col">Require (all)</th>
                    <th scope="col">Exclude</th>
                    <th scope="col">Session</th>
                    {editable && <th scope="col"><span class="sr-only">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {a.policies.map((p, i) => (
                    <tr key={p.id}>
                      <td>{p.index + 1}</td>
                      <td>
                        <strong>{p.name}</strong>
                      </td>
                      <td>
                        <Badge value={p.action} />
                      </td>
                      <td>
                        <Rules rules={p.include} />
                      </td>
                      <td>
                        <Rules rules={p.require} />
                      </td>
                      <td>
                        <Rules rules={p.exclude} />
                      </td>
                      <td>{p.sessionDuration ?? <span class="muted">app default</span>}</td>
                      {editable && (
                        <td class="row-actions">
                          <button
                            type="button" class="btn secondary small" data-move={`${p.id} up`} disabled={i === 0}
                            aria-label={`Move policy ${p.name} up`} title="Move up (evaluated earlier)"
                            onClick={() => move(a.id, a.policies, i, i - 1)}
                          >
                            ↑
                          </button>
                          <button
                            type="button" class="btn secondary small" data-move={`${p.id} down`} disabled={i === a.policies.length - 1}
                            aria-label={`Move policy ${p.name} down`} title="Move down (evaluated later)"
                            onClick={() => move(a.id, a.policies, i, i + 1)}
                          >
                            ↓
                          </button>
                          <button type="button" class="btn secondary small" onClick={() => go(`/policies/edit?id=${encodeURIComponent(p.id)}`)}>
                            Edit<span class="sr-only"> policy {p.name}</span>
                          </button>
                          <ConfirmDelete
                            label={`Delete policy ${p.name}`}
                            onConfirm={() => remove(`policy ${p.name}`, `/policies/${encodeURIComponent(p.id)}`, p.etag)}
                          />
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
        );
      })}
    </>
  );
}

export function Rules({ rules }: { rules: Rule[] }) {
  if (rules.length === 0) return <span class="muted">—</span>;
  return (
    <span class="chips">
      {rules.flatMap((r) =>
        Object.entries(r).map(([k, v]) => (
          <span class="chip" key={k + JSON.stringify(v)}>
            <b>{k}</b> {fmt(v)}
          </span>
        )),
      )}
    </span>
  );
}

function fmt(v: unknown): string {
  if (Array.isArray(v)) return v.map(fmt).join(', ');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
