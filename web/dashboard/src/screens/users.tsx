// Users and groups: active sessions (filter by user or app, revoke one or all of a user's), each
// user's risk level, and the SCIM directory's users and groups when one is connected.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Directory, DirectoryGroup, DirectoryUser, Me, Page, RiskyUser, Session } from '../types.ts';
import { Badge, Card, Empty, ErrorNote, Pager, Time, useLoad, usePaged } from '../ui.tsx';

export function UsersScreen({ me }: { me: Me }) {
  const initial = new URLSearchParams(location.search).get('email') ?? '';
  const [email, setEmail] = useState(initial);
  const [applied, setApplied] = useState(initial);
  const [done, setDone] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const sessions = usePaged(
    (cursor) => api.get<Page<Session>>('/sessions', { email: applied, cursor, limit: 25 }),
    `${applied}|${version}`,
  );
  const risky = useLoad(() => api.get<Page<RiskyUser>>('/risk/users', { limit: 500 }), 'risky');
  const levels = new Map((risky.data?.items ?? []).map((u) => [u.userPrincipalName.toLowerCase(), u.level]));
  const refresh = (message: string) => {
    setDone(message);
    setVersion((v) => v + 1);
  };

  return (
    <>
      <Card title="Active sessions">
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setDone(null);
            setApplied(email.trim());
          }}
        >
          <label>
            User's email
            <input
              type="search"
              name="email"
              value={email}
              placeholder="bob@contoso.com"
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="btn secondary">
            Filter
          </button>
          {applied && me.canWrite && <RevokeUser email={applied} onDone={refresh} />}
        </form>
        {done && (
          <p class="success" role="status">
            {done}
          </p>
        )}
        {sessions.error && <ErrorNote error={sessions.error} onRetry={sessions.reload} />}
        <table aria-busy={sessions.loading}>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Risk</th>
              <th scope="col">Kind</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last seen</th>
              <th scope="col">Expires</th>
              <th scope="col">From</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.data?.items.map((s) => {
              const level = levels.get(s.email.toLowerCase());
              return (
                <tr key={s.id}>
                  <td>
                    <a
                      href={`/admin/users?email=${encodeURIComponent(s.email)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        setEmail(s.email);
                        setApplied(s.email);
                      }}
                    >
                      {s.email}
                    </a>
                  </td>
                  <td>{level ? <Badge value={level} /> : <span class="muted">—</span>}</td>
                  <td>{s.kind === 'global' ? `sign-in (${s.idp})` : `app: ${s.appId}`}</td>
                  <td>
                    <Time iso={s.createdAt} />
                  </td>
                  <td>
                    <Time iso={s.lastSeenAt} />
                  </td>
                  <td>
                    <Time iso={s.expiresAt} />
                  </td>
                  <td title={s.userAgent ?? undefined}>{s.ip ?? <span class="muted">—</span>}</td>
                  <td>{me.canWrite && <RevokeSession s={s} onDone={refresh} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {sessions.data?.items.length === 0 && (
          <Empty>{applied ? `${applied} has no active session.` : 'No one is signed in.'}</Empty>
        )}
        <Pager {...sessions} />
      </Card>
      <DirectoryCard />
    </>
  );
}

/** Two steps: the first click asks, the second acts (no modal to trap focus). */
export function Confirm({ label, ask, run, yes = 'Yes, revoke', busy = 'Revoking…' }: { label: string; ask: string; run: () => Promise<void>; yes?: string; busy?: string }) {
  const [state, setState] = useState<'idle' | 'asking' | 'busy'>('idle');
  const [error, setError] = useState<Error | null>(null);
  if (state === 'idle')
    return (
      <>
        {error && <ErrorNote error={error} />}
        <button type="button" class="btn danger" onClick={() => setState('asking')}>
          {label}
        </button>
      </>
    );
  return (
    <span class="confirm" role="group" aria-label={ask}>
      <span>{ask}</span>
      <button
        type="button"
        class="btn danger"
        autoFocus
        disabled={state === 'busy'}
        onClick={async () => {
          setState('busy');
          setError(null);
          try {
            await run();
          } catch (e) {
            setError(e as Error);
          }
          setState('idle');
        }}
      >
        {state === 'busy' ? busy : yes}
      </button>
      <button type="button" class="btn secondary" disabled={state === 'busy'} onClick={() => setState('idle')}>
        Cancel
      </button>
    </span>
  );
}

function RevokeUser({ email, onDone }: { email: string; onDone: (m: string) => void }) {
  return (
    <Confirm
      label={`Revoke all of ${email}'s sessions`}
      ask={`End every session of ${email} on every replica?`}
      run={async () => {
        const r = await api.post<{ revoked: number }>('/sessions/revoke', { by: 'user', email });
        onDone(
          `Revoked ${r.revoked} session${r.revoked === 1 ? '' : 's'} of ${email}. Their next request is refused until they sign in again.`,
        );
      }}
    />
  );
}

function RevokeSession({ s, onDone }: { s: Session; onDone: (m: string) => void }) {
  return (
    <Confirm
      label="Revoke"
      ask="End this session?"
      run={async () => {
        await api.post('/sessions/revoke', { by: 'session', sessionId: s.id });
        onDone(`Revoked a session of ${s.email}${s.kind === 'global' ? ' and its app sessions' : ''}.`);
      }}
    />
  );
}

function DirectoryCard() {
  const dirs = useLoad(() => api.get<{ items: Directory[] }>('/directory/directories'), 'dirs');
  const [dir, setDir] = useState('');
  const [tab, setTab] = useState<'users' | 'groups'>('users');
  const [search, setSearch] = useState('');
  const first = dirs.data?.items[0]?.id ?? '';
  const directory = dir || first;
  const users = usePaged(
    (cursor) =>
      directory
        ? api.get<Page<DirectoryUser>>('/directory/users', { directory, search, cursor, limit: 25 })
        : Promise.resolve({ items: [], nextCursor: null }),
    `u|${directory}|${search}`,
  );
  const groups = usePaged(
    (cursor) =>
      directory
        ? api.get<Page<DirectoryGroup>>('/directory/groups', { directory, search, cursor, limit: 25 })
        : Promise.resolve({ items: [], nextCursor: null }),
    `g|${directory}|${search}`,
  );
  if (dirs.error)
    return (
      <Card title="Directory">
        <ErrorNote error={dirs.error} onRetry={dirs.reload} />
      </Card>
    );
  if (dirs.data && dirs.data.items.length === 0) {
    return (
      <Card title="Directory">
        <Empty>
          No SCIM directory is connected. Provision users from Entra ID (see docs/scim.md) to see them and their groups
          here.
        </Empty>
      </Card>
    );
  }
  const list = tab === 'users' ? users : groups;
  return (
    <Card
      title="Directory (SCIM)"
      actions={
        <div class="segmented" role="group" aria-label="Show">
          <button type="button" aria-pressed={tab === 'users'} onClick={() => setTab('users')}>
            Users
          </button>
          <button type="button" aria-pressed={tab === 'groups'} onClick={() => setTab('groups')}>
            Groups
          </button>
        </div>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {(dirs.data?.items.length ?? 0) > 1 && (
          <label>
            Directory
            <select value={directory} onChange={(e) => setDir(e.currentTarget.value)}>
              {dirs.data!.items.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Search
          <input
            type="search"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
            placeholder={tab === 'users' ? 'name or user name' : 'group name'}
          />
        </label>
      </form>
      {list.error && <ErrorNote error={list.error} onRetry={list.reload} />}
      {tab === 'users' ? (
        <table aria-busy={users.loading}>
          <thead>
            <tr>
              <th scope="col">User name</th>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.items.map((u) => (
              <tr key={u.id}>
                <td>
                  <a href={`/admin/users?email=${encodeURIComponent(u.email ?? u.userName)}`}>{u.userName}</a>
                </td>
                <td>{u.displayName}</td>
                <td>
                  <Badge value={u.active ? 'active' : 'deactivated'} kind={u.active ? 'ok' : 'bad'} />
                </td>
                <td>
                  <Time iso={u.lastModified} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <table aria-busy={groups.loading}>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Members</th>
            </tr>
          </thead>
          <tbody>
            {groups.data?.items.map((g) => (
              <tr key={g.id}>
                <td>{g.displayName}</td>
                <td>{g.memberCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...list} />
    </Card>
  );
}
