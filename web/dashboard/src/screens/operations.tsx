// Live operations: remote-browser isolation sessions on every server (with End for admins) and
// the tunnels with their connectors and health. Both refresh on demand and every 15 s.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Me } from '../types.ts';
import { ago, Badge, Card, DataTable, Empty, ErrorNote, Loading, Time, useLoad } from '../ui.tsx';
import { Confirm } from './users.tsx';

interface IsolationSession {
  id: string; user: string; policy: string; state: string; url: string; tabs: number; viewer: boolean; host: string; worker: string | null; startedAt: string; lastInputAt: string;
}
interface Tunnel {
  tunnel: string;
  health: 'healthy' | 'degraded' | 'down';
  connectors: { id: string; version: string; hostname: string; addresses: string[]; edges: string[]; connections: number; since: string }[];
}

/** Reloads every `ms` while the screen is open. */
function useEvery(reload: () => void, ms: number) {
  useEffect(() => {
    const t = setInterval(reload, ms);
    return () => clearInterval(t);
  }, [reload]);
}

export function OperationsScreen({ me }: { me: Me }) {
  return (
    <>
      <IsolationCard me={me} />
      <TunnelsCard />
    </>
  );
}

function IsolationCard({ me }: { me: Me }) {
  const list = useLoad(() => api.get<{ items: IsolationSession[] }>('/isolation/sessions'), 'isolation');
  const [note, setNote] = useState('');
  useEvery(list.reload, 15_000);
  return (
    <Card
      title="Live isolation sessions"
      actions={
        <button type="button" class="btn secondary" onClick={list.reload}>
          Refresh
        </button>
      }
    >
      {note && (
        <p class="success" role="status">
          {note}
        </p>
      )}
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {!list.data && list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && <Empty>No remote browsers are running.</Empty>}
      {list.data && list.data.items.length > 0 && (
        <DataTable busy={list.loading} columns={['User', 'Page', 'Policy', 'State', 'Started', 'Server', { hidden: 'Actions' }]}>
            {list.data.items.map((s) => (
              <tr key={s.id}>
                <td>{s.user}</td>
                <td>
                  <code title={s.url}>{s.url}</code> <span class="muted">{s.tabs} tab(s)</span>
                </td>
                <td>{s.policy}</td>
                <td>
                  <Badge value={s.state} /> {s.viewer ? <span class="muted">viewer connected</span> : <span class="muted">no viewer</span>}
                </td>
                <td>
                  <Time iso={s.startedAt} /> <span class="muted">last input {ago(Date.parse(s.lastInputAt))}</span>
                </td>
                <td>{s.worker ? <>{s.worker} <span class="muted">isolation worker</span></> : s.host}</td>
                <td>
                  {me.canWrite && (
                    <Confirm
                      label="End"
                      ask={`End ${s.user}'s remote browser?`}
                      yes="Yes, end it"
                      busy="Ending…"
                      run={async () => {
                        await api.post('/isolation/sessions/end', { id: s.id });
                        setNote(`Ended ${s.user}'s isolation session. Their remote browser closes at once.`);
                        list.reload();
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
        </DataTable>
      )}
    </Card>
  );
}

function TunnelsCard() {
  const list = useLoad(() => api.get<{ items: Tunnel[] }>('/tunnels'), 'tunnels');
  useEvery(list.reload, 15_000);
  const kind = (h: Tunnel['health']) => (h === 'healthy' ? 'ok' : h === 'degraded' ? 'warn' : 'bad');
  return (
    <Card title="Tunnels and connectors">
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {!list.data && list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && (
        <Empty>No tunnels: no app has upstream tunnel:NAME and no connector is connected (docs/tunnel.md).</Empty>
      )}
      {list.data?.items.map((t) => (
        <section key={t.tunnel} class="tunnel">
          <h3>
            {t.tunnel} <Badge value={t.health} kind={kind(t.health)} />
          </h3>
          {t.connectors.length === 0 ? (
            <p class="muted">No connector is connected. Run moatless connector next to the private app.</p>
          ) : (
            <DataTable columns={['Connector', 'Host', 'Version', 'Address', 'Connections', 'Since']}>
                {t.connectors.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <code>{c.id.slice(0, 8)}</code>
                    </td>
                    <td>{c.hostname}</td>
                    <td>{c.version}</td>
                    <td>{c.addresses.join(', ')}</td>
                    <td>{c.connections}</td>
                    <td>
                      <Time iso={c.since} />
                    </td>
                  </tr>
                ))}
            </DataTable>
          )}
        </section>
      ))}
    </Card>
  );
}
