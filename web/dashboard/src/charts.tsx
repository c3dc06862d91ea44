// Small SVG charts: a stacked bar chart over time and a horizontal bar list. No chart library —
// SVG keeps them crisp, styleable from CSS (no inline styles under the CSP) and readable by
// screen readers (each chart has a text summary, each bar a tooltip title).

export interface Stack {
  key: string;
  label: string;
  className: string;
}

export function StackedBars({
  points,
  stacks,
  summary,
  bucketMs,
}: {
  points: { time: string; values: Record<string, number> }[];
  stacks: Stack[];
  summary: string;
  bucketMs: number;
}) {
  const W = 720,
    H = 200,
    left = 40,
    right = 24,
    bottom = 22,
    top = 8;
  const totals = points.map((p) => stacks.reduce((n, s) => n + (p.values[s.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const nice = Math.max(2, niceMax(max));
  const slot = (W - left - right) / Math.max(1, points.length);
  const barW = Math.max(2, slot * 0.72);
  const y = (v: number) => top + (H - top - bottom) * (1 - v / nice);
  const ticks = Number.isInteger(nice / 2) ? [0, nice / 2, nice] : [0, nice];
  const labelEvery = Math.ceil(points.length / 8);
  const fmt = (iso: string) => {
    const d = new Date(iso);
    // Labels a day or more apart would all show the same time of day: show the date instead.
    return bucketMs * labelEvery >= 86_400_000
      ? d.toLocaleDateString([], { month: 'short', day: 'numeric' })
      : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  };
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="none">
        {ticks.map((t) => (
          <g key={t}>
            <line class="grid" x1={left} x2={W - right} y1={y(t)} y2={y(t)} />
            <text class="axis" x={left - 6} y={y(t) + 4} text-anchor="end">
              {compact(t)}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          let acc = 0;
          const x = left + i * slot + (slot - barW) / 2;
          return (
            <g key={p.time}>
              {stacks.map((s) => {
                const v = p.values[s.key] ?? 0;
                if (v === 0) return null;
                const y0 = y(acc),
                  y1 = y(acc + v);
                acc += v;
                return (
                  <rect key={s.key} class={s.className} x={x} y={y1} width={barW} height={Math.max(1, y0 - y1)}>
                    <title>{`${fmt(p.time)} · ${s.label}: ${v}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 && (
                <text class="axis" x={x + barW / 2} y={H - 6} text-anchor="middle">
                  {fmt(p.time)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {stacks.map((s) => (
          <span key={s.key}>
            <i class={`swatch ${s.className}`} aria-hidden="true" />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function BarList({
  rows,
  summary,
}: {
  rows: { label: string; value: number; className: string }[];
  summary: string;
}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <div class="barlist" role="img" aria-label={summary}>
      {rows.map((r) => (
        <div class="barrow" key={r.label}>
          <span class="barlabel">{r.label}</span>
          <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect class="track" x="0" y="0" width="100" height="10" rx="2" />
            <rect class={r.className} x="0" y="0" width={(100 * r.value) / max} height="10" rx="2" />
          </svg>
          <span class="barvalue">{r.value}</span>
        </div>
      ))}
    </div>
  );
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function compact(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n));
}
