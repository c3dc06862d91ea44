// Pieces both editors share: where the API's field problems land, the refusal with its advice (and
// for a 412 a way to load the other person's version), and the Save / Cancel row.
import { ApiFailure } from '../api.ts';
import { ErrorNote } from '../ui.tsx';
import './editor.css';

/** The first problem the API reported at `path` or inside it. */
export function problemAt(error: ApiFailure | null, path: string): string | undefined {
  return error?.body?.details.find((d) => d.path === path || d.path.startsWith(`${path}.`) || d.path.startsWith(`${path}[`))
    ?.message;
}

export function FieldProblems({ error }: { error: ApiFailure | null }) {
  const details = error?.body?.details ?? [];
  if (details.length === 0) return null;
  return (
    <ul class="problems" aria-label="Problems to fix">
      {details.map((d) => (
        <li key={d.path + d.message}>
          <code>{d.path.replace(/^body\.?/, '') || '(the object)'}</code> {d.message}
        </li>
      ))}
    </ul>
  );
}

/** The API's refusal, its field problems, and for a 412 a way to load the other person's version. */
export function SaveError({ error, onReload }: { error: Error; onReload: () => void }) {
  const fail = error instanceof ApiFailure ? error : null;
  return (
    <>
      <ErrorNote error={error} />
      {fail?.status === 412 && (
        <button type="button" class="btn secondary" onClick={onReload}>
          Load the latest version
        </button>
      )}
      <FieldProblems error={fail} />
    </>
  );
}

export function FormActions({ busy, label, onCancel }: { busy: boolean; label: string; onCancel: () => void }) {
  return (
    <div class="form-actions">
      <button type="submit" class="btn" disabled={busy}>
        {busy ? 'Saving…' : label}
      </button>
      <button type="button" class="btn secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
