// Searchable logs: access decisions, provisioning, risk changes and the admin audit log, filtered and
// paged on the server (the gateway's log is on the Gateway screen).
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { FilterForm, type FilterField, SINCE_DEFAULT, sinceTime, useFilters } from '../filters.tsx';
import type { AccessEntry, App, AuditEntry, Page } from '../types.ts';
import { ProvisioningLog, RiskLog } from './activity-logs.tsx';
import { Badge, Card, Empty, ErrorNote, Pager, Time, useLoad, usePaged } from '../ui.tsx';

const ACTIONS = ['allow', 'deny', 'block', 'authenticate', 'bypass', 'service_auth'];

const accessFilters = (apps: App[]): FilterField[] => [
  { kind: 'search', key: 'email', label: 'User', placeholder: 'bob@contoso.com' },
  {
    kind: 'select', key: 'appId', name: 'app', label: 'App',
    choices: apps.map((a) => ({ value: a.id, label: a.name })),
  },
  {
    kind: 'select', key: 'action', label: 'Decision',
    choices: ACTIONS.map((a) => ({ value: a, label: a.replace('_', ' ') })),
  },
  { kind: 'since', key: 'since' },
];

const AUDIT_FILTERS: FilterField[] = [
  { kind: 'search', key: 'actor', label: 'Who', placeholder: 'user:alice@contoso.com' },
  { kind: 'search', key: 'action', label: 'Action', placeholder: 'sessions.revoke' },
];

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
  const filters = useFilters({ email: '', appId: '', action: '', since: SINCE_DEFAULT });
  const q = filters.query;
  const log = usePaged(
    (cursor) =>
      api.get<Page<AccessEntry>>('/logs/access', {
        email: q.email,
        appId: q.appId,
        action: q.action,
        since: sinceTime(q.since),
        cursor,
        limit: 50,
      }),
    filters.key,
  );
  return (
    <Card title="Access decisions">
      <FilterForm label="Filter the access decisions" fields={accessFilters(apps.data?.items ?? [])} filters={filters}>
        <button type="button" class="btn secondary" onClick={log.reload}>
          Refresh
        </button>
      </FilterForm>
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
  const filters = useFilters({ actor: '', action: '' });
  const q = filters.query;
  const log = usePaged(
    (cursor) => api.get<Page<AuditEntry>>('/logs/audit', { actor: q.actor, action: q.action, cursor, limit: 50 }),
    filters.key,
  );
  return (
    <Card title="Admin audit log">
      <FilterForm label="Filter the admin audit log" fields={AUDIT_FILTERS} filters={filters} />
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
