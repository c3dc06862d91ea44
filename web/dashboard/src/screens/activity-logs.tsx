// The provisioning (SCIM) and risk sync logs, filtered and paged on the server, for the Logs screen.
import { api } from '../api.ts';
import { FilterForm, type FilterField, useFilters } from '../filters.tsx';
import type { Page } from '../types.ts';
import { Badge, Card, DataTable, Empty, ErrorNote, Pager, Time, usePaged } from '../ui.tsx';

interface ProvisioningEntry {
  time: string; directoryId: string; method: string; path: string; operation: string; resourceId: string | null; externalId: string | null;
  status: number; error: string | null; durationMs: number;
}
interface RiskEntry { time: string; userPrincipalName: string; output: string; from: string | null; to: string | null; reason: string }

export function ProvisioningLog() {
  const log = usePaged((cursor) => api.get<Page<ProvisioningEntry>>('/logs/provisioning', { cursor, limit: 50 }), 'provisioning');
  return (
    <Card title="Provisioning (SCIM) requests">
      {log.error && <ErrorNote error={log.error} onRetry={log.reload} />}
      <DataTable busy={log.loading} class="log" columns={['When', 'Operation', 'Resource', 'Status', 'Error']}>
          {log.data?.items.map((e, i) => (
            <tr key={e.time + i}>
              <td>
                <Time iso={e.time} />
              </td>
              <td>
                <code>{e.operation}</code> <span class="muted">{e.method} {e.path}</span>
              </td>
              <td>{e.externalId ?? e.resourceId ?? <span class="muted">—</span>}</td>
              <td>
                <Badge value={String(e.status)} kind={e.status < 400 ? 'ok' : 'bad'} />
              </td>
              <td class="reasons-cell">{e.error ?? <span class="muted">—</span>}</td>
            </tr>
          ))}
      </DataTable>
      {log.data?.items.length === 0 && <Empty>No SCIM requests yet. Start provisioning in Entra to see them here.</Empty>}
      <Pager {...log} />
    </Card>
  );
}

const RISK_FILTERS: FilterField[] = [{ kind: 'search', key: 'user', label: 'User', placeholder: 'bob@contoso.com' }];

export function RiskLog() {
  const filters = useFilters({ user: '' });
  const log = usePaged(
    (cursor) => api.get<Page<RiskEntry>>('/logs/risk', { user: filters.query.user, cursor, limit: 50 }),
    filters.key,
  );
  return (
    <Card title="Risk sync changes">
      <FilterForm label="Filter the risk sync changes" fields={RISK_FILTERS} filters={filters} />
      {log.error && <ErrorNote error={log.error} onRetry={log.reload} />}
      <DataTable busy={log.loading} class="log" columns={['When', 'User', 'Output', 'Change', 'Why']}>
          {log.data?.items.map((e, i) => (
            <tr key={e.time + i}>
              <td>
                <Time iso={e.time} />
              </td>
              <td>{e.userPrincipalName}</td>
              <td>
                <code>{e.output}</code>
              </td>
              <td>
                {e.from ?? 'none'} → {e.to ?? 'none'}
              </td>
              <td class="reasons-cell">{e.reason}</td>
            </tr>
          ))}
      </DataTable>
      {log.data?.items.length === 0 && <Empty>No risk changes match.</Empty>}
      <Pager {...log} />
    </Card>
  );
}
