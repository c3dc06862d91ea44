// Risk sync: its health, the risky users it last read (filter by level, search, paged on the
// server) and what it changed recently.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Page, RiskChange, RiskHealth, RiskyUser } from '../types.ts';
import { RiskHistoryCard } from './risk-history.tsx';
import { Badge, Card, duration, Empty, ErrorNote, Loading, Pager, Time, useLoad, usePaged } from '../ui.tsx';

export function SyncHealth({ h, compact }: { h: RiskHealth; compact?: boolean }) {
  const failing = h.consecutiveFailures > 0;
  const state = !h.configured
    ? 'Not configured'
    : failing
      ? 'Failing'
      : h.lastSuccessAt
        ? 'Healthy'
        : 'Waiting for the first cycle';
  return (
    <div class={`health ${compact ? 'compact' : ''}`}>
      <p class="health-state">
        <Badge value={state} kind={!h.configured ? 'neutral' : failing ? 'bad' : h.lastSuccessAt ? 'ok' : 'warn'} />
        {h.configured && (
          <span>
            Last success <Time iso={h.lastSuccessAt} />
          </span>
        )}
      </p>
      {!h.configured && (
        <p class="muted">
          Add a <code>risk:</code> section to moatless.yaml to sync Entra ID Protection's risky users.
        </p>
      )}
      {h.lastError && (
        <p class="error-inline" role="alert">
          {h.lastError.code}: {h.lastError.message} (<Time iso={h.lastError.at} />
          ). Check the app registration's IdentityRiskyUser.Read.All permission and the Graph URL.
        </p>
      )}
      {!compact && h.configured && (
        <dl class="facts">
          <dt>Last cycle</dt>
          <dd>
            {h.lastMode ?? '—'} · {duration(h.durationMs)}
          </dd>
          <dt>Last full reconcile</dt>
          <dd>
            <Time iso={h.lastFullAt} />
          </dd>
          <dt>Changes in last cycle</dt>
          <dd>{h.lastChanges}</dd>
          <dt>Failures in a row</dt>
          <dd>{h.consecutiveFailures}</dd>
          <dt>Next cycle</dt>
          <dd>{h.needsFull ? 'full reconcile' : 'incremental'}</dd>
        </dl>
      )}
    </div>
  );
}

export function RiskScreen() {
  const health = useLoad(() => api.get<RiskHealth>('/risk/status'), 'health');
  const [level, setLevel] = useState('');
  const [search, setSearch] = useState('');
  const users = usePaged(
    (cursor) => api.get<Page<RiskyUser>>('/risk/users', { level, search, cursor, limit: 25 }),
    `${level}|${search}`,
  );
  const changes = useLoad(() => api.get<{ items: RiskChange[] }>('/risk/changes', { limit: 20 }), 'changes');
  return (
    <div class="grid-2">
      <Card
        title="Sync health"
        actions={
          <button type="button" class="btn secondary" onClick={health.reload}>
            Refresh
          </button>
        }
      >
        {health.error && <ErrorNote error={health.error} onRetry={health.reload} />}
        {health.data ? <SyncHealth h={health.data} /> : health.loading && <Loading />}
      </Card>
      <Card title="Recent changes">
        {changes.error && <ErrorNote error={changes.error} onRetry={changes.reload} />}
        {changes.data &&
          (changes.data.items.length === 0 ? (
            <Empty>The sync has not changed anyone's level yet.</Empty>
          ) : (
            <ul class="changes">
              {changes.data.items.map((c, i) => (
                <li key={i}>
                  <Time iso={c.time} /> <strong>{c.userPrincipalName}</strong> {c.from ?? 'none'} → {c.to ?? 'none'}{' '}
                  <span class="muted">
                    ({c.reason}, {c.output})
                  </span>
                </li>
              ))}
            </ul>
          ))}
      </Card>
      <RiskHistoryCard />
      <Card title="Risky users" class="wide">
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Level
            <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
              <option value="">Any</option>
              <option value="high">High</option>
              <option value="medium">Medium</option>
              <option value="low">Low</option>
            </select>
          </label>
          <label>
            User
            <input
              type="search"
              placeholder="name@example.com"
              value={search}
              onInput={(e) => setSearch(e.currentTarget.value)}
            />
          </label>
        </form>
        {users.error && <ErrorNote error={users.error} onRetry={users.reload} />}
        <table aria-busy={users.loading}>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Group level</th>
              <th scope="col">Entra risk</th>
              <th scope="col">State</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.items.map((u) => (
              <tr key={u.userId}>
                <td>{u.userPrincipalName}</td>
                <td>{u.level ? <Badge value={u.level} /> : <span class="muted">none</span>}</td>
                <td>{u.riskLevel}</td>
                <td>{u.riskState}</td>
                <td>
                  <Time iso={u.riskLastUpdated} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {users.data?.items.length === 0 && <Empty>No risky users match.</Empty>}
        <Pager {...users} />
      </Card>
    </div>
  );
}
