// Searchable logs: access decisions, provisioning, risk changes and the admin audit log, filtered and
// paged on the server (the gateway's log is on the Gateway screen).
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { AccessEntry, App, AuditEntry, Page } from '../types.ts';
import { ProvisioningLog, RiskLog } from './activity-logs.tsx';
import { Badge, Card, Empty, ErrorNote, Pager, SINCE, SinceField, Time, useLoad, usePaged } from '../ui.tsx';

const ACTIONS = ['allow', 'deny', 'block', 'authenticate', 'bypass', 'service_auth'];

const TABS = [
  { id: 'access', label: 'Access decisions' },
  { id: 'provisioning', label: 'Provisioning' },
  { id: 'risk', label: 'Risk' },
  { id: 'audit', label: 'Admin audit' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function LogsScreen() {
  const asked = new URLSearchParams(location.search).get('log');
  const [tab, setTab] = useState<Tab>(TABS.some((t) => t.id === asked) ? (asked as Tab) : 'access');
  return (
    <>
      <div class="segmented tabs" role="group" aria-label="Log">
        {TABS.map((t) => (
          <button key={t.id} type="button" aria-pressed={tab === t.id} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'access' ? <AccessLog /> : tab === 'audit' ? <AuditLog /> : tab === 'provisioning' ? <ProvisioningLog /> : <RiskLog />}
    </>
  );
}

function AccessLog() {
  const apps = useLoad(() => api.get<{ items: App[] }>('/apps'), 'apps');
  const [form, setForm] = useState({ email: '', appId: '', action: '', since: String(SINCE[1]!.ms) });
  // `n` makes every Search a new query, even with the same filters (new entries keep arriving).
  const [q, setQ] = useState({ ...form, n: 0 });
  const since = Number(q.since) ? Date.now() - Number(q.since) : undefined;
  const log = usePaged(
    (cursor) =>
      api.get<Page<AccessEntry>>('/logs/access', {
        email: q.email,
        appId: q.appId,
        action: q.action,
        since,
        cursor,
        limit: 50,
      }),
    JSON.stringify(q),
  );
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  return (
    <Card title="Access decisions">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQ({ ...form, email: form.email.trim(), n: q.n + 1 });
        }}
      >
        <label>
          User
          <input type="search" name="email" value={form.email} onInput={set('email')} placeholder="bob@contoso.com" />
        </label>
        <label>
          App
          <select name="app" value={form.appId} onChange={set('appId')}>
            <option value="">Any</option>
            {apps.data?.items.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Decision
          <select name="action" value={form.action} onChange={set('action')}>
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <SinceField value={form.since} onChange={set('since')} />
        <button type="submit" class="btn">
          Search
        </button>
        <button type="button" class="btn secondary" onClick={log.reload}>
          Refresh
        </button>
      </form>
      {log.error && <ErrorNote error={log.error} onRetry={log.reload} />}
      <table aria-busy={log.loading} class="log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">User</th>
            <th scope="col">Request</th>
            <th scope="col">Decision</th>
            <th scope="col">Why</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {log.data?.items.map((e) => (
            <tr key={e.requestId + e.time}>
              <td>
                <Time iso={e.time} />
              </td>
              <td>{e.email ?? <span class="muted">anonymous</span>}</td>
              <td>
                <span class="muted">{e.method}</span>{' '}
                <code title={`${e.host}${e.path}`}>
                  {e.host}
                  {e.path}
                </code>
              </td>
              <td>
                <Badge value={e.action} />
                {e.policy && <span class="muted"> {e.policy}</span>}
              </td>
              <td class="reasons-cell">{e.reasons.join('; ') || <span class="muted">—</span>}</td>
              <td>{e.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data?.items.length === 0 && <Empty>No decisions match these filters.</Empty>}
      <Pager {...log} />
    </Card>
  );
}

function AuditLog() {
  const [form, setForm] = useState({ actor: '', action: '' });
  const [q, setQ] = useState({ ...form, n: 0 });
  const log = usePaged(
    (cursor) => api.get<Page<AuditEntry>>('/logs/audit', { actor: q.actor, action: q.action, cursor, limit: 50 }),
    JSON.stringify(q),
  );
  return (
    <Card title="Admin audit log">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQ({ actor: form.actor.trim(), action: form.action.trim(), n: q.n + 1 });
        }}
      >
        <label>
          Who
          <input
            type="search"
            value={form.actor}
            onInput={(e) => setForm({ ...form, actor: e.currentTarget.value })}
            placeholder="user:alice@contoso.com"
          />
        </label>
        <label>
          Action
          <input
            type="search"
            value={form.action}
            onInput={(e) => setForm({ ...form, action: e.currentTarget.value })}
            placeholder="sessions.revoke"
          />
        </label>
        <button type="submit" class="btn">
          Search
        </button>
      </form>
      {log.error && <ErrorNote error={log.error} onRetry={log.reload} />}
      <table aria-busy={log.loading}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Before → after</th>
          </tr>
        </thead>
        <tbody>
          {log.data?.items.map((e) => (
            <tr key={e.seq}>
              <td>
                <Time iso={e.time} />
              </td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                <code>{e.target}</code>
              </td>
              <td class="reasons-cell">
                <code>{short(e.before)}</code> → <code>{short(e.after)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data?.items.length === 0 && <Empty>No admin changes match.</Empty>}
      <Pager {...log} />
    </Card>
  );
}

const short = (v: unknown) => {
  const s = JSON.stringify(v) ?? 'null';
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};
