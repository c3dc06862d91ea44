// The dashboard's only way to the server: same-origin fetches to /api/v1 with the session cookie.
// A same-origin POST carries Origin, which the API's CSRF check requires. Errors become ApiFailure
// with a sentence that says what to do next.

export interface ErrorBody {
  code: string;
  message: string;
  details: { path: string; message: string }[];
}

export class ApiFailure extends Error {
  readonly status: number;
  readonly body: ErrorBody | null;
  constructor(status: number, body: ErrorBody | null, message: string) {
    super(message);
    this.status = status;
    this.body = body;
  }

  /** What the person should do about it. */
  get advice(): string {
    if (this.status === 0) return 'Check that Moatless is running and your network is up, then try again.';
    if (this.status === 401) return 'Your sign-in has ended. Reload the page to sign in again.';
    if (this.body?.code === 'csrf_rejected')
      return 'Open the dashboard from its own address (the auth host), then retry.';
    if (this.status === 403) return 'Your role does not allow this. Ask an administrator, or use an admin account.';
    if (this.status === 404) return 'It may have ended or been removed already. Refresh the list.';
    if (this.status === 400) return 'Correct the highlighted fields and try again.';
    if (this.status >= 500)
      return 'Moatless could not answer. Try again; if it persists, give your administrator the request id.';
    return 'Try again.';
  }
}

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, q: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiFailure(0, null, 'Moatless did not answer.');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = json && typeof json === 'object' && 'code' in json ? (json as ErrorBody) : null;
    const id = res.headers.get('moatless-request-id');
    throw new ApiFailure(res.status, err, `${err?.message ?? `HTTP ${res.status}`}${id ? ` (request id ${id})` : ''}`);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, q?: Query) => call<T>('GET', withQuery(path, q)),
  post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
};
