// Rules of a policy as rows — a selector and its values — with the synced directory groups and the
// known auth contexts offered as suggestions.
import type { ApiFailure } from '../api.ts';
import { problemAt } from './editor-parts.tsx';
import type { Rule } from '../types.ts';

export const SELECTORS = [
  'group', 'directoryGroup', 'authContext', 'email', 'emailDomain', 'everyone', 'ipRange', 'ipList', 'country',
  'riskLevel', 'loginMethod', 'authMethod', 'ruleGroup', 'serviceToken', 'anyServiceToken',
] as const;
const FLAGS = new Set(['everyone', 'anyServiceToken']);

export interface RuleRow {
  selector: string;
  value: string;
}

export const toRows = (rules: Rule[]): RuleRow[] =>
  rules.flatMap((r) =>
    Object.entries(r).map(([selector, v]) => ({
      selector,
      value: FLAGS.has(selector) ? '' : Array.isArray(v) ? v.map(String).join(', ') : String(v),
    })),
  );

export const toRules = (rows: RuleRow[]): Rule[] =>
  rows.map((r) => {
    if (FLAGS.has(r.selector)) return { [r.selector]: true };
    const values = r.value
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    return { [r.selector]: values.length === 1 ? values[0] : values };
  });

export function RuleRows({
  label,
  hint,
  rows,
  set,
  path,
  error,
  suggestions,
}: {
  label: string;
  hint: string;
  rows: RuleRow[];
  set: (rows: RuleRow[]) => void;
  path: string;
  error: ApiFailure | null;
  suggestions: Record<string, string[]>;
}) {
  const change = (i: number, patch: Partial<RuleRow>) => set(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset class="rules">
      <legend>
        {label} <span class="muted">{hint}</span>
      </legend>
      {rows.length === 0 && <p class="muted">No rules.</p>}
      {rows.map((r, i) => {
        const problem = problemAt(error, `${path}[${i}]`);
        const list = suggestions[r.selector] ? `dl-${r.selector}` : undefined;
        return (
          <div class="rule-row" key={i}>
            <select
              aria-label={`${label} rule ${i + 1} selector`}
              value={r.selector}
              onChange={(e) => change(i, { selector: e.currentTarget.value })}
            >
              {SELECTORS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            {!FLAGS.has(r.selector) && (
              <input
                aria-label={`${label} rule ${i + 1} values`}
                value={r.value}
                list={list}
                placeholder="one value, or several separated by commas"
                aria-invalid={problem ? true : undefined}
                onInput={(e) => change(i, { value: e.currentTarget.value })}
              />
            )}
            <button
              type="button"
              class="btn secondary small"
              aria-label={`Remove ${label} rule ${i + 1}`}
              onClick={() => set(rows.filter((_, j) => j !== i))}
            >
              ✕
            </button>
            {problem && <span class="field-error">{problem}</span>}
          </div>
        );
      })}
      <button type="button" class="btn secondary small" onClick={() => set([...rows, { selector: 'group', value: '' }])}>
        Add {label.toLowerCase()} rule
      </button>
    </fieldset>
  );
}

export function Suggestions({ suggestions }: { suggestions: Record<string, string[]> }) {
  return (
    <>
      {Object.entries(suggestions).map(([selector, values]) => (
        <datalist id={`dl-${selector}`} key={selector}>
          {values.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      ))}
    </>
  );
}
