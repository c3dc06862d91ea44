// Apps and their policies as moatless.yaml defines them: read-only here (GitOps), marked so.
import { api } from '../api.ts';
import type { App, Rule } from '../types.ts';
import { Badge, Card, Empty, ErrorNote, Loading, useLoad } from '../ui.tsx';

export function AppsScreen({ go }: { go: (path: string) => void }) {
  const apps = useLoad(() => api.get<{ items: App[] }>('/apps'), 'apps');
  return (
    <>
      <p class="notice" role="note">
        <strong>Read-only.</strong> Apps and policies come from <code>moatless.yaml</code>, the source of truth: change
        them there and run <code>moatless config check</code>. Use the policy tester to see what a change would do.
      </p>
      {apps.error && <ErrorNote error={apps.error} onRetry={apps.reload} />}
      {apps.loading && !apps.data && <Loading label="Loading apps…" />}
      {apps.data?.items.length === 0 && <Empty>No apps are configured.</Empty>}
      {apps.data?.items.map((a) => (
        <Card
          key={a.id}
          title={a.name}
          actions={
            <span class="card-actions">
              <Badge value="from config" kind="neutral" />
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
          </dl>
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
              </tr>
            </thead>
            <tbody>
              {a.policies.map((p) => (
                <tr key={p.index}>
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
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ))}
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
