// Overview: requests and decisions over time, active sessions, risky users per level and the
// risk sync's health, for a chosen window.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { BarList, compact, StackedBars } from '../charts.tsx';
import type { Overview } from '../types.ts';
import { Card, ErrorNote, Loading, useLoad } from '../ui.tsx';
import { SyncHealth } from './risk.tsx';

const WINDOWS = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '24 hours', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
];
const ALLOWED = ['allow', 'bypass', 'service_auth'];
const DENIED = ['deny', 'block'];
const sum = (c: Record<string, number>, keys: string[]) => keys.reduce((n, k) => n + (c[k] ?? 0), 0);

export function OverviewScreen({ go }: { go: (path: string) => void }) {
  const [win, setWin] = useState(WINDOWS[1]!);
  const o = useLoad(() => api.get<Overview>('/overview', { since: Date.now() - win.ms }), win.label);
  return (
    <>
      <div class="toolbar">
        <div class="segmented" role="group" aria-label="Time window">
          {WINDOWS.map((w) => (
            <button type="button" key={w.label} aria-pressed={w === win} onClick={() => setWin(w)}>
              {w.label}
            </button>
          ))}
        </div>
        <button type="button" class="btn secondary" onClick={o.reload} disabled={o.loading}>
          Refresh
        </button>
      </div>
      {o.error && <ErrorNote error={o.error} onRetry={o.reload} />}
      {!o.data && o.loading && <Loading label="Counting requests…" />}
      {o.data && <OverviewBody o={o.data} win={win.label} go={go} />}
    </>
  );
}

function OverviewBody({ o, win, go }: { o: Overview; win: string; go: (path: string) => void }) {
  const total = Object.values(o.totals).reduce((a, b) => a + b, 0);
  const allowed = sum(o.totals, ALLOWED),
    denied = sum(o.totals, DENIED),
    signIns = o.totals.authenticate ?? 0;
  const points = o.series.map((p) => ({
    time: p.time,
    values: { allowed: sum(p.counts, ALLOWED), denied: sum(p.counts, DENIED), signin: p.counts.authenticate ?? 0 },
  }));
  const r = o.risk.counts;
  return (
    <>
      <div class="kpis">
        <Kpi label={`Requests, last ${win}`} value={compact(total)} />
        <Kpi label="Allowed" value={compact(allowed)} tone="ok" />
        <Kpi
          label="Denied"
          value={compact(denied)}
          tone={denied > 0 ? 'bad' : undefined}
          hint={total ? `${Math.round((100 * denied) / total)}% of requests` : undefined}
        />
        <Kpi label="Sent to sign-in" value={compact(signIns)} />
        <Kpi label="Active sessions" value={compact(o.activeSessions)} action={() => go('/users')} />
      </div>
      <div class="grid-2">
        <Card title="Requests and decisions" class="wide">
          {total === 0 ? (
            <p class="empty">No requests in this window yet. Open a protected app to see traffic here.</p>
          ) : (
            <StackedBars
              points={points}
              bucketMs={o.bucketMs}
              summary={`${total} requests in the last ${win}: ${allowed} allowed, ${denied} denied, ${signIns} sent to sign-in.`}
              stacks={[
                { key: 'allowed', label: 'Allowed', className: 'fill-ok' },
                { key: 'denied', label: 'Denied', className: 'fill-bad' },
                { key: 'signin', label: 'Sent to sign-in', className: 'fill-warn' },
              ]}
            />
          )}
        </Card>
        <Card
          title="Risky users per level"
          actions={
            <a href="/admin/risk" class="link">
              Details
            </a>
          }
        >
          <BarList
            summary={`Risky users: ${r.high} high, ${r.medium} medium, ${r.low} low.`}
            rows={[
              { label: 'High', value: r.high, className: 'fill-bad' },
              { label: 'Medium', value: r.medium, className: 'fill-warn' },
              { label: 'Low', value: r.low, className: 'fill-info' },
            ]}
          />
          <SyncHealth h={o.risk} compact />
        </Card>
      </div>
    </>
  );
}

function Kpi({
  label,
  value,
  tone,
  hint,
  action,
}: {
  label: string;
  value: string;
  tone?: string | undefined;
  hint?: string | undefined;
  action?: () => void;
}) {
  const body = (
    <>
      <span class="kpi-label">{label}</span>
      <span class={`kpi-value ${tone ?? ''}`}>{value}</span>
      {hint && <span class="kpi-hint">{hint}</span>}
    </>
  );
  return action ? (
    <button type="button" class="kpi clickable" onClick={action}>
      {body}
    </button>
  ) : (
    <div class="kpi">{body}</div>
  );
}
