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
    if (this.status === 412)
      return 'Someone else saved a change since you opened this. Reload it to see their version, then make your change again.';
    if (this.body?.code === 'read_only') return 'Change it in moatless.yaml, then run moatless config check.';
    if (this.body?.code === 'admin_lockout') return 'Choose hosts that do not cover the auth host.';
    if (this.status === 409) return 'Pick another name, or edit the existing one.';
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

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function call<T>(method: Method, path: string, body?: unknown, ifMatch?: string): Promise<T> {
  return (await exchange<T>(method, path, body, ifMatch)).data;
}

/** The answer with its ETag (for the If-Match of the next write). */
async function exchange<T>(method: Method, path: string, body?: unknown, ifMatch?: string): Promise<{ data: T; etag: string | null }> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(ifMatch ? { 'if-match': ifMatch } : {}),
      },
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
  return { data: json as T, etag: res.headers.get('etag') };
}

export const api = {
  get: <T>(path: string, q?: Query) => call<T>('GET', withQuery(path, q)),
  post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
  /** GET with the ETag, for an editor. */
  read: <T>(path: string) => exchange<T>('GET', path),
  /** POST, or PUT/PATCH/DELETE guarded by the ETag read before (412 when someone changed it since). */
  write: <T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, ifMatch?: string) =>
    exchange<T>(method, path, body, ifMatch),
};
