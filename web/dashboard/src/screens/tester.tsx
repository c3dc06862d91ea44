// The policy tester: "what would happen if bob@contoso.com opened https://payroll.example.com/ now,
// and why?" — answered by POST /policy-test with every policy's trace.
import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { PolicyAnswer } from '../types.ts';
import { Badge, Card, ErrorNote, Loading } from '../ui.tsx';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function TesterScreen() {
  const q = new URLSearchParams(location.search);
  const [who, setWho] = useState<'user' | 'anonymous'>('user');
  const [user, setUser] = useState(q.get('user') ?? '');
  const [url, setUrl] = useState(q.get('url') ?? '');
  const [groups, setGroups] = useState('');
  const [acrs, setAcrs] = useState('');
  const [ip, setIp] = useState('');
  const [country, setCountry] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<PolicyAnswer | null>(null);
  const [error, setError] = useState<Error | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = {
        url: url.trim(),
        ...(who === 'user' ? { user: user.trim() } : { anonymous: true }),
        ...(groups.trim() ? { groups: list(groups) } : {}),
        ...(acrs.trim() ? { acrs: list(acrs) } : {}),
        ...(ip.trim() ? { ip: ip.trim() } : {}),
        ...(country.trim() ? { country: country.trim() } : {}),
      };
      setAnswer(await api.post<PolicyAnswer>('/policy-test', body));
    } catch (err) {
      setAnswer(null);
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }
  const fieldError = (path: string) =>
    error instanceof ApiFailure ? error.body?.details.find((d) => d.path === path)?.message : undefined;

  return (
    <div class="grid-2 tester">
      <Card title="Ask">
        <form onSubmit={submit} class="stack" aria-describedby="tester-help">
          <p id="tester-help" class="muted">
            What would happen if this person opened this address now, and why? Nothing is changed.
          </p>
          <fieldset class="segmented" role="radiogroup">
            <legend class="sr-only">Who</legend>
            <label>
              <input type="radio" name="who" checked={who === 'user'} onChange={() => setWho('user')} /> A user
            </label>
            <label>
              <input type="radio" name="who" checked={who === 'anonymous'} onChange={() => setWho('anonymous')} />{' '}
              Nobody signed in
            </label>
          </fieldset>
          {who === 'user' && (
            <Field
              label="User's email"
              name="user"
              value={user}
              set={setUser}
              placeholder="bob@contoso.com"
              type="email"
              required
              error={fieldError('body.user')}
            />
          )}
          <Field
            label="Address"
            name="url"
            value={url}
            set={setUrl}
            placeholder="https://payroll.example.com/"
            type="url"
            required
            error={fieldError('body.url')}
          />
          <details>
            <summary>More facts (optional)</summary>
            <Field
              label="Groups (comma-separated; default: the user's directory groups)"
              name="groups"
              value={groups}
              set={setGroups}
              placeholder="Finance, Staff"
              error={fieldError('body.groups')}
            />
            <Field
              label="Auth contexts satisfied"
              name="acrs"
              value={acrs}
              set={setAcrs}
              placeholder="c1"
              error={fieldError('body.acrs')}
            />
            <Field
              label="Client IP"
              name="ip"
              value={ip}
              set={setIp}
              placeholder="203.0.113.7"
              error={fieldError('body.ip')}
            />
            <Field
              label="Country (2 letters)"
              name="country"
              value={country}
              set={setCountry}
              placeholder="DE"
              error={fieldError('body.country')}
            />
          </details>
          <button type="submit" class="btn" disabled={busy}>
            {busy ? 'Testing…' : 'Test access'}
          </button>
        </form>
      </Card>
      <Card title="Answer">
        {busy && <Loading label="Evaluating the policies…" />}
        {error && <ErrorNote error={error} />}
        {!busy && !error && !answer && <p class="empty">The decision and every policy's reasoning will appear here.</p>}
        {answer && !busy && <Answer a={answer} />}
      </Card>
    </div>
  );
}

export function Field({
  label,
  name,
  value,
  set,
  placeholder,
  type = 'text',
  required,
  error,
}: {
  label: string;
  name: string;
  value: string;
  set: (v: string) => void;
  placeholder?: string;
  type?: string;
  required?: boolean;
  error?: string | undefined;
}) {
  const id = `f-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        placeholder={placeholder}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onInput={(e) => set(e.currentTarget.value)}
      />
      {error && (
        <span id={`${id}-err`} class="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

function Answer({ a }: { a: PolicyAnswer }) {
  const d = a.decision;
  return (
    <div class="answer" aria-live="polite">
      {!a.app && <p class="verdict neutral">No app is configured at this address: Moatless answers 404.</p>}
      {a.refusedBeforePolicy && <p class="verdict bad">Refused before any policy: {a.refusedBeforePolicy} (400).</p>}
      {d && (
        <p
          class={`verdict ${d.action === 'allow' || d.action === 'bypass' ? 'ok' : d.action === 'authenticate' ? 'warn' : 'bad'}`}
          data-testid="verdict"
        >
          <Badge value={d.action} /> {a.app?.name}
          {d.policy ? (
            <>
              {' '}
              by policy <strong>{d.policy}</strong>
            </>
          ) : d.stepUp ? (
            ''
          ) : (
            ' — no policy matched'
          )}
          {d.stepUp && <> — needs auth context {d.stepUp.join(', ')}: the user would be asked for a step-up sign-in</>}
        </p>
      )}
      {a.user && (
        <p class="muted">
          {a.user.email}:{' '}
          {a.user.provisioned
            ? `in the directory${a.user.active === false ? ' (deactivated)' : ''}`
            : 'not in a SCIM directory'}
          ; groups {a.user.groups.length ? a.user.groups.join(', ') : 'none'}.
        </p>
      )}
      {d && d.reasons.length > 0 && (
        <ul class="reasons">
          {d.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {a.policies.length > 0 && (
        <ol class="trace">
          {a.policies.map((p) => (
            <li key={p.index} class={p.decided ? 'decided' : p.reached ? '' : 'skipped'}>
              <strong>{p.name}</strong> <Badge value={p.action} />{' '}
              {p.decided ? (
                <em>decided</em>
              ) : p.reached ? (
                p.matched ? (
                  'matched'
                ) : (
                  'did not match'
                )
              ) : (
                <span class="muted">not reached</span>
              )}
              {p.rules.length > 0 && (
                <ul>
                  {p.rules.map((r, i) => (
                    <li key={i} class={r.matched ? 'yes' : 'no'}>
                      <span aria-label={r.matched ? 'matched' : 'not matched'}>{r.matched ? '✓' : '✗'}</span>{' '}
                      {r.section} <code>{r.source}</code> — {r.reason}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
      <details>
        <summary>
          As <code>moatless policy test</code> prints it
        </summary>
        <pre>{a.explanation.join('\n')}</pre>
      </details>
    </div>
  );
}
