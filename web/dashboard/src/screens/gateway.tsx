// Secure web gateway: its rules in evaluation order (read-only, from moatless.yaml), the CA
// certificate devices install, and its decision log (filtered and paged on the server).
import { api } from '../api.ts';
import { FilterForm, type FilterField, SINCE_DEFAULT, sinceTime, useFilters } from '../filters.tsx';
import type { Page } from '../types.ts';
import { Badge, Card, DataTable, Empty, ErrorNote, Loading, Pager, Time, useLoad, usePaged } from '../ui.tsx';

interface GatewayRules {
  configured: boolean;
  defaultAction: string | null;
  unidentified: string | null;
  inspect: boolean;
  hostLists: { name: string; hosts: string[] }[];
  items: { name: string; action: string; when: unknown }[];
}
interface GatewayEntry {
  time: string; requestId: string; email: string | null; url: string; method: string; action: string;
  policy: string | null; reasons: string[]; status: number; bytes: number; isolation: string | null;
}
interface GatewayCa { pem: string; subject: string; fingerprintSha256: string; notAfter: string }

export function GatewayScreen() {
  return (
    <>
      <Rules />
      <GatewayLog />
    </>
  );
}

function Rules() {
  const rules = useLoad(() => api.get<GatewayRules>('/gateway/rules'), 'gateway-rules');
  const ca = useLoad(() => api.get<GatewayCa>('/gateway/ca').catch(() => null), 'gateway-ca');
  const r = rules.data;
  return (
    <Card title="Rules" actions={<span class="muted">From moatless.yaml — read-only</span>}>
      {rules.error && <ErrorNote error={rules.error} onRetry={rules.reload} />}
      {!r && rules.loading && <Loading />}
      {r && !r.configured && <Empty>No gateway: section in moatless.yaml. Add one to filter and log web traffic (docs/gateway.md).</Empty>}
      {r?.configured && (
        <>
          <p>
            Unmatched traffic: <Badge value={r.defaultAction ?? '-'} /> · without a credential: <Badge value={r.unidentified ?? '-'} /> · TLS
            inspection: <Badge value={r.inspect ? 'on' : 'off'} kind={r.inspect ? 'ok' : 'neutral'} />
          </p>
          <DataTable columns={['#', 'Rule', 'Action', 'When']}>
              {r.items.map((rule, i) => (
                <tr key={rule.name}>
                  <td>{i + 1}</td>
                  <td>{rule.name}</td>
                  <td>
                    <Badge value={rule.action} />
                  </td>
                  <td class="reasons-cell">
                    <code>{JSON.stringify(rule.when)}</code>
                  </td>
                </tr>
              ))}
          </DataTable>
          {r.items.length === 0 && <Empty>No rules: every request gets the default action.</Empty>}
          {r.hostLists.length > 0 && (
            <p class="muted">
              Host lists: {r.hostLists.map((l) => `${l.name} (${l.hosts.length})`).join(', ')}
            </p>
          )}
        </>
      )}
      {ca.data && (
        <p>
          CA certificate <code title={ca.data.fingerprintSha256}>{ca.data.subject}</code>, valid until <Time iso={ca.data.notAfter} />.{' '}
          <a download="moatless-gateway-ca.pem" href={`data:application/x-pem-file;charset=utf-8,${encodeURIComponent(ca.data.pem)}`}>
            Download the PEM
          </a>{' '}
          for devices to trust.
        </p>
      )}
    </Card>
  );
}

const GATEWAY_ACTIONS = ['allow', 'block', 'isolate'].map((a) => ({ value: a, label: a }));

const LOG_FILTERS: FilterField[] = [
  { kind: 'search', key: 'email', label: 'User', placeholder: 'bob@contoso.com' },
  { kind: 'select', key: 'action', label: 'Action', choices: GATEWAY_ACTIONS },
  { kind: 'since', key: 'since' },
];

function GatewayLog() {
  const filters = useFilters({ email: '', action: '', since: SINCE_DEFAULT });
  const q = filters.query;
  const log = usePaged(
    (cursor) =>
      api.get<Page<GatewayEntry>>('/logs/gateway', {
        email: q.email, action: q.action, since: sinceTime(q.since), cursor, limit: 50,
      }),
    filters.key,
  );
  return (
    <Card title="Gateway log">
      <FilterForm label="Filter the gateway log" fields={LOG_FILTERS} filters={filters} />
      {log.error && <ErrorNote error={log.error} onRetry={log.reload} />}
      <DataTable busy={log.loading} class="log" columns={['When', 'User', 'Request', 'Decision', 'Why', 'Status']}>
          {log.data?.items.map((e) => (
            <tr key={e.requestId + e.time}>
              <td>
                <Time iso={e.time} />
              </td>
              <td>{e.email ?? <span class="muted">unidentified</span>}</td>
              <td>
                <span class="muted">{e.method}</span> <code title={e.url}>{e.url}</code>
              </td>
              <td>
                <Badge value={e.action} />
                {e.policy && <span class="muted"> {e.policy}</span>}
                {e.isolation && <span class="muted"> ({e.isolation})</span>}
              </td>
              <td class="reasons-cell">{e.reasons.join('; ') || <span class="muted">—</span>}</td>
              <td>{e.status}</td>
            </tr>
          ))}
      </DataTable>
      {log.data?.items.length === 0 && <Empty>No gateway decisions match these filters.</Empty>}
      <Pager {...log} />
    </Card>
  );
}
