// Risky users per level over time (GET /risk/history), as a stacked bar chart with a text summary.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { StackedBars } from '../charts.tsx';
import { Card, ErrorNote, Loading, useLoad } from '../ui.tsx';

interface RiskHistory {
  bucketMs: number;
  complete: boolean;
  points: { time: string; counts: { high: number; medium: number; low: number } }[];
}

const WINDOWS = [
  { label: '24 hours', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
  { label: '30 days', ms: 30 * 86_400_000 },
];

export function RiskHistoryCard() {
  const [win, setWin] = useState(WINDOWS[1]!);
  const h = useLoad(() => api.get<RiskHistory>('/risk/history', { since: Date.now() - win.ms }), `risk-history|${win.ms}`);
  const last = h.data?.points.at(-1)?.counts;
  return (
    <Card
      title="Risky users over time"
      class="wide"
      actions={
        <div class="segmented" role="group" aria-label="Window">
          {WINDOWS.map((w) => (
            <button key={w.label} type="button" aria-pressed={w === win} onClick={() => setWin(w)}>
              {w.label}
            </button>
          ))}
        </div>
      }
    >
      {h.error && <ErrorNote error={h.error} onRetry={h.reload} />}
      {!h.data && h.loading && <Loading />}
      {h.data && last && (
        <>
          <StackedBars
            points={h.data.points.map((p) => ({ time: p.time, values: p.counts }))}
            bucketMs={h.data.bucketMs}
            summary={`Risky users over the last ${win.label}; now ${last.high} high, ${last.medium} medium, ${last.low} low.`}
            stacks={[
              { key: 'high', label: 'High', className: 'fill-bad' },
              { key: 'medium', label: 'Medium', className: 'fill-warn' },
              { key: 'low', label: 'Low', className: 'fill-info' },
            ]}
          />
          {!h.data.complete && <p class="muted">The change log does not reach back this far; older bars may be low.</p>}
        </>
      )}
    </Card>
  );
}
