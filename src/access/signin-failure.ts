// Why a sign-in failed, as a fixed list of short codes: the callback sends the browser on (303) to
// `/signin-failed?reason=<code>` on the auth host, so the IdP's authorization code and state leave
// the address bar, and the failure page reflects nothing from the request but a known code and a
// request id of safe characters. Details stay in the log under that request id.
import type { SignInError } from '../identity/provider.ts';

export const SIGNIN_FAILED_PATH = '/signin-failed';

interface Failure { status: number; title: string; message: string }

const ADMIN = 'Tell your administrator, quoting the request ID.';

export const SIGNIN_FAILURES = {
  expired: {
    status: 400, title: 'Sign-in expired',
    message: 'This sign-in was started in another browser, has expired or was already used. '
      + 'Open the application again.',
  },
  refused: {
    status: 403, title: 'Sign-in failed',
    message: 'Your identity provider refused the sign-in — for example a Conditional Access requirement '
      + '(MFA, a compliant device) was not met, or the sign-in was cancelled.',
  },
  unavailable: {
    status: 502, title: 'Sign-in failed',
    message: 'The identity provider could not be reached. Try again in a moment.',
  },
  wrong_tenant: {
    status: 403, title: 'Sign-in failed',
    message: 'Only accounts of this organisation\'s own directory may sign in here.',
  },
  not_verified: {
    status: 403, title: 'Sign-in failed',
    message: 'The identity provider\'s answer could not be verified. Open the application again.',
  },
  incomplete: {
    status: 403, title: 'Sign-in failed',
    message: `The identity provider did not say who you are (no email address). ${ADMIN}`,
  },
  misconfigured: {
    status: 500, title: 'Sign-in failed',
    message: `Moatless could not complete the sign-in because of a configuration problem. ${ADMIN}`,
  },
  groups_unavailable: {
    status: 502, title: 'Sign-in failed',
    message: 'Your group memberships could not be read from the directory. Try again in a moment.',
  },
  access_denied: {
    status: 403, title: 'Access denied',
    message: 'You are signed in, but your access policy does not allow this application.',
  },
  auth_context: {
    status: 403, title: 'Access denied',
    message: 'This application requires Conditional Access (an authentication context) that your sign-in '
      + 'did not satisfy.',
  },
  failed: {
    status: 403, title: 'Sign-in failed',
    message: 'The sign-in could not be completed. Open the application again; if it keeps failing, tell your '
      + 'administrator, quoting the request ID.',
  },
} as const satisfies Record<string, Failure>;

export type SignInFailure = keyof typeof SIGNIN_FAILURES;

/** The short code for a SignInError's own code (`idp_access_denied`, `wrong_tenant`, …). */
export function failureOf(err: SignInError): SignInFailure {
  const c = err.code;
  if (c === 'idp_unavailable') return 'unavailable';
  if (c.startsWith('idp_')) return 'refused';
  if (c === 'wrong_tenant' || c === 'groups_unavailable') return c;
  if (c === 'token_invalid') return 'not_verified';
  if (c === 'no_email' || c === 'no_oid') return 'incomplete';
  if (c === 'wrong_issuer' || c === 'wrong_cloud' || c === 'client_auth_failed') return 'misconfigured';
  return 'failed';
}

const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

export function failureUrl(authOrigin: string, reason: SignInFailure, requestId: string): string {
  const u = new URL(SIGNIN_FAILED_PATH, authOrigin);
  u.searchParams.set('reason', reason);
  u.searchParams.set('rid', requestId);
  return u.href;
}

/** The page for `/signin-failed?reason=…&rid=…`: an unknown reason is the generic one. */
export function failurePage(url: URL): Failure & { requestId: string | undefined } {
  const reason = url.searchParams.get('reason') ?? '';
  const known = Object.hasOwn(SIGNIN_FAILURES, reason);
  const page: Failure = known ? SIGNIN_FAILURES[reason as SignInFailure] : SIGNIN_FAILURES.failed;
  const rid = url.searchParams.get('rid') ?? '';
  return { ...page, requestId: REQUEST_ID.test(rid) ? rid : undefined };
}
