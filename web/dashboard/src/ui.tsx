// Shared pieces of every screen: data loading with progress and errors, cursor paging, badges,
// times. Must not: know any one screen's data.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';
import type { Page } from './types.ts';

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `key` changes; a newer load wins over a slower older one. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => {
        if (mine === seq.current) setState({ data, error: null, loading: false });
      },
      (error: Error) => {
        if (mine === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, [key]);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** A cursor-paged list: the cursors of the pages before this one are kept for "Newer". */
export function usePaged<T>(load: (cursor: string | undefined) => Promise<Page<T>>, key: string) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setCursors([undefined]), [key]);
  const cursor = cursors.at(-1);
  const page = useLoad(() => load(cursor), `${key}|${cursor ?? ''}`);
  return {
    ...page,
    pageNumber: cursors.length,
    older: page.data?.nextCursor ? () => setCursors((c) => [...c, page.data!.nextCursor!]) : null,
    newer: cursors.length > 1 ? () => setCursors((c) => c.slice(0, -1)) : null,
  };
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorNote({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const advice = error instanceof ApiFailure ? error.advice : 'Reload the page and try again.';
  return (
    <div class="error" role="alert">
      <strong>{error.message}</strong>
      <p>{advice}</p>
      {onRetry && (
        <button type="button" class="btn secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Pager({
  pageNumber,
  older,
  newer,
  loading,
  olderLabel = 'Older',
  newerLabel = 'Newer',
}: {
  pageNumber: number;
  older: (() => void) | null;
  newer: (() => void) | null;
  loading: boolean;
  olderLabel?: string;
  newerLabel?: string;
}) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="btn secondary" disabled={!newer || loading} onClick={newer ?? undefined}>
        ← {newerLabel}
      </button>
      <span>Page {pageNumber}</span>
      <button type="button" class="btn secondary" disabled={!older || loading} onClick={older ?? undefined}>
        {olderLabel} →
      </button>
    </nav>
  );
}

const ACTION_KIND: Record<string, string> = {
  allow: 'ok',
  bypass: 'ok',
  service_auth: 'ok',
  deny: 'bad',
  block: 'bad',
  authenticate: 'warn',
  high: 'bad',
  medium: 'warn',
  low: 'info',
};

export function Badge({ value, kind }: { value: string; kind?: string }) {
  const label = value.replace('_', ' ');
  return (
    <span class={`badge ${kind ?? ACTION_KIND[value] ?? 'neutral'}`}>
      {label.charAt(0).toUpperCase() + label.slice(1)}
    </span>
  );
}

export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">never</span>;
  const d = new Date(iso);
  return (
    <time dateTime={iso} title={d.toLocaleString()}>
      {ago(d.getTime())}
    </time>
  );
}

export function ago(t: number, now = Date.now()): string {
  const s = Math.round((now - t) / 1000);
  if (Math.abs(s) < 45) return s >= 0 ? 'just now' : 'in a moment';
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(s) >= size) {
      const n = Math.round(Math.abs(s) / size);
      return s >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return `${s} s ago`;
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export function Card({
  title,
  children,
  actions,
  class: cls,
}: {
  title?: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card ${cls ?? ''}`}>
      {(title || actions) && (
        <header class="card-head">
          {title && <h2>{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** A data table: column headers (a `{hidden}` one is for screen readers only) and its rows. */
export function DataTable({
  columns,
  busy,
  class: cls,
  children,
}: {
  columns: (string | { hidden: string })[];
  busy?: boolean;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <table aria-busy={busy} class={cls}>
      <thead>
        <tr>
          {columns.map((c) =>
            typeof c === 'string' ? (
              <th scope="col" key={c}>
                {c}
              </th>
            ) : (
              <th scope="col" key={c.hidden}>
                <span class="sr-only">{c.hidden}</span>
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
/**
 * A destructive action in two steps (no browser dialog): the first press asks, the second acts.
 * `verb` names it on the buttons ("Delete", "Revoke").
 */
export function ConfirmDelete({ label, onConfirm, verb = 'Delete' }: { label: string; onConfirm: () => void; verb?: string }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="btn danger small" aria-label={label} onClick={() => setAsking(true)}>
        {verb}
      </button>
    );
  }
  return (
    <span class="confirm">
      <button type="button" class="btn danger small" onClick={onConfirm}>
        Yes, {verb.toLowerCase()}
      </button>
      <button type="button" class="btn secondary small" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
