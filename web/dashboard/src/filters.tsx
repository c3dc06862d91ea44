// The filter form of the log screens: fields described as data, edited as text, and turned into a
// query only by Search. Must not: know any one log's endpoint or columns.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Choice {
  value: string;
  label: string;
}

/** One field of a filter form; `name` is the form control's name (default: `key`). */
export type FilterField =
  | { kind: 'search'; key: string; label: string; placeholder: string; name?: string }
  | { kind: 'select'; key: string; label: string; choices: Choice[]; name?: string }
  | { kind: 'since'; key: string };

/** Time windows the log filters offer (0: any time). */
export const SINCE = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
  { label: 'Any time', ms: 0 },
];

const SINCE_CHOICES: Choice[] = SINCE.map((s) => ({ value: String(s.ms), label: s.label }));

/** The default window of a `since` field (the last 24 hours), as its form value. */
export const SINCE_DEFAULT = String(SINCE[1]!.ms);

/** A `since` field's value as the earliest time to ask for (undefined: any time). */
export const sinceTime = (value: string): number | undefined =>
  Number(value) ? Date.now() - Number(value) : undefined;

export interface Filters<F extends Record<string, string>> {
  /** What the form shows now. */
  form: F;
  /** What was last searched, trimmed. */
  query: F & { n: number };
  /** The key of the query for usePaged: changes on every Search. */
  key: string;
  set(key: string, value: string): void;
  search(): void;
}

/**
 * The form's values and the query last searched. `n` makes every Search a new query, even with
 * the same filters (new entries keep arriving); text is trimmed only then, not while typing.
 */
export function useFilters<F extends Record<string, string>>(initial: F): Filters<F> {
  const [form, setForm] = useState<F>(initial);
  const [query, setQuery] = useState({ ...initial, n: 0 });
  return {
    form,
    query,
    key: JSON.stringify(query),
    set: (key: string, value: string) => setForm((f) => ({ ...f, [key]: value })),
    search: () => {
      const trimmed = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.trim()])) as F;
      setQuery((q) => ({ ...trimmed, n: q.n + 1 }));
    },
  };
}

/** A search landmark with one labelled control per field, a Search button, then `children` (more buttons). */
export function FilterForm({
  label,
  fields,
  filters,
  children,
}: {
  /** Names the search landmark, e.g. "Filter the gateway log". */
  label: string;
  fields: FilterField[];
  filters: Filters<Record<string, string>>;
  children?: ComponentChildren;
}) {
  return (
    <form
      class="filters"
      role="search"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        filters.search();
      }}
    >
      {fields.map((f) => (
        <Field key={f.key} field={f} value={filters.form[f.key] ?? ''} onChange={(v) => filters.set(f.key, v)} />
      ))}
      <button type="submit" class="btn">
        Search
      </button>
      {children}
    </form>
  );
}

function Field({ field, value, onChange }: { field: FilterField; value: string; onChange: (value: string) => void }) {
  if (field.kind === 'since') {
    return <Select label="When" name="since" value={value} onChange={onChange} choices={SINCE_CHOICES} />;
  }
  const name = field.name ?? field.key;
  if (field.kind === 'select') {
    const choices = [{ value: '', label: 'Any' }, ...field.choices];
    return <Select label={field.label} name={name} value={value} onChange={onChange} choices={choices} />;
  }
  return (
    <label>
      {field.label}
      <input
        type="search"
        name={name}
        value={value}
        onInput={(e) => onChange(e.currentTarget.value)}
        placeholder={field.placeholder}
      />
    </label>
  );
}

interface SelectProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  choices: Choice[];
}

function Select({ label, name, value, onChange, choices }: SelectProps) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
