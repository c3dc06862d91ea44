// The dashboard's shell: who is signed in, the navigation, and which screen a path shows. Paths
// live under /admin/ (the server answers every one of them with this app).
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.ts';
import { AppEditorScreen } from './screens/app-editor.tsx';
import { AppsScreen } from './screens/apps.tsx';
import { GatewayScreen } from './screens/gateway.tsx';
import { PolicyEditorScreen } from './screens/policy-editor.tsx';
import { LogsScreen } from './screens/logs.tsx';
import { OperationsScreen } from './screens/operations.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { RiskScreen } from './screens/risk.tsx';
import { TesterScreen } from './screens/tester.tsx';
import { TokensScreen } from './screens/tokens.tsx';
import { IdentityProvidersScreen } from './screens/identity-providers.tsx';
import { UsersScreen } from './screens/users.tsx';
import type { Me } from './types.ts';
import { ErrorNote, useLoad } from './ui.tsx';
// The stylesheets by concern, in cascade order (later files may refine earlier ones).
import './styles/base.css';
import './styles/layout.css';
import './styles/controls.css';
import './styles/charts.css';
import './styles/tables.css';
import './styles/forms.css';
import './styles/feedback.css';
import './styles/results.css';

const BASE = '/admin';
const SCREENS = [
  { path: '/', label: 'Overview', title: 'Overview' },
  { path: '/apps', label: 'Apps & policies', title: 'Apps and policies' },
  { path: '/tester', label: 'Policy tester', title: 'Policy tester' },
  { path: '/users', label: 'Users & sessions', title: 'Users, groups and sessions' },
  { path: '/risk', label: 'Risk sync', title: 'Risk sync' },
  { path: '/gateway', label: 'Gateway', title: 'Secure web gateway' },
  { path: '/operations', label: 'Isolation & tunnels', title: 'Isolation sessions and tunnels' },
  { path: '/identity-providers', label: 'Identity providers', title: 'Identity providers' },
  { path: '/tokens', label: 'Tokens', title: 'SCIM, admin API, connector and service tokens' },
  { path: '/logs', label: 'Logs', title: 'Logs' },
] as const;
/** Screens reached from others (not in the navigation): the app and policy editors. */
const EDITORS = [
  { path: '/apps/edit', title: 'App' },
  { path: '/policies/edit', title: 'Policy' },
] as const;

/**
 * Until /me answers, a screen renders as for a read-only caller: its own requests then go out
 * alongside /me instead of after it (one round trip less on a first visit), and write buttons
 * appear when /me says so. The API checks every call again, whatever the page shows.
 */
const NOT_YET_KNOWN: Me = { actor: '', kind: 'user', role: null, canWrite: false };

const current = () => location.pathname.slice(BASE.length).replace(/\/+$/, '') || '/';

function Shell() {
  const [path, setPath] = useState(current);
  const me = useLoad(() => api.get<Me>('/me'), 'me');
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    const onPop = () => setPath(current());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const screen = SCREENS.find((s) => s.path === path) ?? EDITORS.find((s) => s.path === path);
  useEffect(() => {
    document.title = `${screen?.title ?? 'Not found'} · Moatless admin`;
    // Keyboard and screen-reader users land on the new screen's heading, not at the old link.
    if (!first.current) heading.current?.focus();
    first.current = false;
  }, [path]);
  const go = (to: string) => {
    history.pushState(null, '', BASE + (to === '/' ? '/' : to));
    setPath(current());
  };
  const nav = (e: MouseEvent, to: string) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    go(to);
  };
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <aside class="side">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          Moatless
        </div>
        <nav aria-label="Dashboard">
          <ul>
            {SCREENS.map((s) => (
              <li key={s.path}>
                <a
                  href={BASE + (s.path === '/' ? '/' : s.path)}
                  aria-current={s.path === path ? 'page' : undefined}
                  onClick={(e) => nav(e, s.path)}
                >
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="side-foot">
          {me.data && (
            <p class="who">
              <span>{me.data.actor.replace(/^user:/, '')}</span>
              <span class="role">
                {me.data.role ?? me.data.kind}
                {me.data.canWrite ? '' : ' · read-only'}
              </span>
            </p>
          )}
          <a href="/">Your apps</a> · <a href="/logout">Sign out</a>
        </div>
      </aside>
      <main id="main" class="main">
        <h1 tabIndex={-1} ref={heading}>
          {screen?.title ?? 'Not found'}
        </h1>
        {me.error && <ErrorNote error={me.error} onRetry={me.reload} />}
        {!me.error && <Screen path={path} me={me.data ?? NOT_YET_KNOWN} go={go} />}
      </main>
    </div>
  );
}

function Screen({ path, me, go }: { path: string; me: Me; go: (to: string) => void }) {
  switch (path) {
    case '/':
      return <OverviewScreen go={go} />;
    case '/apps':
      return <AppsScreen go={go} me={me} key={location.search} />;
    case '/apps/edit':
      return <AppEditorScreen go={go} key={location.search} />;
    case '/policies/edit':
      return <PolicyEditorScreen go={go} key={location.search} />;
    case '/tester':
      return <TesterScreen key={location.search} />;
    case '/users':
      return <UsersScreen me={me} key={location.search} />;
    case '/risk':
      return <RiskScreen />;
    case '/logs':
      return <LogsScreen />;
    case '/gateway':
      return <GatewayScreen />;
    case '/operations':
      return <OperationsScreen me={me} />;
    case '/identity-providers':
      return <IdentityProvidersScreen me={me} />;
    case '/tokens':
      return <TokensScreen me={me} />;
    default:
      return (
        <p>
          There is no such screen.{' '}
          <a
            href={`${BASE}/`}
            onClick={(e) => {
              e.preventDefault();
              go('/');
            }}
          >
            Go to the overview
          </a>
          .
        </p>
      );
  }
}

const root = document.getElementById('app')!;
root.replaceChildren(); // the "Loading…" line shown before the script ran
render(<Shell />, root);
