// The sign-in interaction behind oidc-provider: password form, simulated Conditional Access for
// requested authentication contexts, the second-factor page, and Entra's block pages. Decides
// what the emulator's "Entra" does with a user; must not issue tokens itself (it hands a login
// result back to oidc-provider) and never logs passwords.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider, InteractionDetails } from 'oidc-provider';
import { evaluateContexts, requestedContexts } from './ca-policy.ts';
import type { Directory, DirectoryUser } from './directory.ts';
import type { Fixture } from './fixture.ts';
import type { SignInResults } from './oidc.ts';
import { errorPage, loginPage, mfaPage } from './pages.ts';

export interface InteractionDeps {
  provider: Provider;
  fixture: Fixture;
  directory: Directory;
  signIns: SignInResults;
  readForm: (req: IncomingMessage) => Promise<URLSearchParams>;
}

type Step = 'show' | 'login' | 'mfa' | 'return';

const DISABLED = 'AADSTS50057: The user account is disabled. The account has been disabled by an administrator.';
const BAD_CREDENTIALS = 'Your account or password is incorrect. (AADSTS50126: Error validating credentials due to invalid username or password.)';

interface Pending {
  accountId?: string;
  mfaDone: boolean;
  /** The block shown on the error page, returned to the client as `access_denied`. */
  blocked?: string;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' });
  res.end(html);
}

function parseClaims(raw: unknown): unknown {
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function createInteractionHandler(deps: InteractionDeps) {
  const { provider, fixture, directory, signIns } = deps;
  // Per-interaction progress (password done, MFA done, block shown); interactions expire in 15 min.
  const pending = new Map<string, Pending>();

  const base = (uid: string) => `/${fixture.tenantId}/interaction/${uid}`;
  const clientName = (details: InteractionDetails) =>
    fixture.clients.find((c) => c.clientId === details.params.client_id)?.displayName ?? 'Moatless';

  const showLogin = (res: ServerResponse, details: InteractionDetails, error?: string) =>
    send(res, error ? 401 : 200, loginPage({
      action: `${base(details.uid)}/login`,
      tenantName: fixture.tenantName,
      clientName: clientName(details),
      loginHint: typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined,
      error,
      hints: directory.users().map((u) => ({ upn: u.userPrincipalName, displayName: u.displayName })),
    }));

  const block = (res: ServerResponse, details: InteractionDetails, state: Pending, description: string) => {
    state.blocked = description;
    send(res, 403, errorPage({ title: 'You cannot access this right now', description, action: `${base(details.uid)}/return` }));
  };

  /** After the password (or an SSO session): run CA for the requested contexts and finish or prompt. */
  const proceed = async (req: IncomingMessage, res: ServerResponse, details: InteractionDetails, state: Pending, user: DirectoryUser) => {
    if (!user.accountEnabled) return block(res, details, state, DISABLED);
    const contexts = requestedContexts(parseClaims(details.params.claims));
    const outcome = evaluateContexts(contexts, user, fixture.conditionalAccessPolicies, state.mfaDone);
    // Entra blocks an unmet grant control (e.g. AADSTS53000) rather than issuing a token without acrs.
    if (outcome.kind === 'blocked') return block(res, details, state, outcome.description);
    if (outcome.kind === 'mfa_required') {
      return send(res, 200, mfaPage({ action: `${base(details.uid)}/mfa`, upn: user.userPrincipalName, contexts }));
    }
    const grant = new provider.Grant({ accountId: user.id, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    signIns.set(grantId, contexts);
    pending.delete(details.uid);
    await provider.interactionFinished(req, res, {
      login: { accountId: user.id, amr: state.mfaDone ? ['pwd', 'mfa'] : ['pwd'], remember: true },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  };

  return async (req: IncomingMessage, res: ServerResponse, uid: string, step: Step): Promise<void> => {
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return send(res, 400, errorPage({ title: 'Sign-in session not found', description: 'AADSTS90014: The sign-in request has expired or was not started here. Return to the application and try again.' }));
    }
    // The interaction cookie names the interaction; the URL must agree (no cross-interaction posts).
    if (details.uid !== uid) return send(res, 400, errorPage({ title: 'Sign-in session mismatch', description: 'AADSTS90014: The sign-in request does not match this session.' }));
    const reasons = details.prompt.reasons;
    const state = pending.get(uid) ?? { mfaDone: false };
    pending.set(uid, state);
    // Only a step-up (or a disabled-account re-check) may reuse the SSO session; prompt=login,
    // max_age and a missing session all require the password again.
    const sessionUser = details.session?.accountId && reasons.every((r) => r === 'acrs_requested' || r === 'account_disabled')
      ? directory.user(details.session.accountId) : undefined;
    const known = state.accountId ? directory.user(state.accountId) : sessionUser;

    if (step === 'return') {
      if (!state.blocked) return send(res, 400, errorPage({ title: 'Nothing to return', description: 'AADSTS90014: No error is pending for this sign-in.' }));
      pending.delete(uid);
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: state.blocked }, { mergeWithLastSubmission: false });
    }
    if (req.method !== (step === 'show' ? 'GET' : 'POST')) return send(res, 405, errorPage({ title: 'Method not allowed', description: 'AADSTS90014: Unsupported request.' }));

    if (step === 'login') {
      const form = await deps.readForm(req);
      const user = directory.verifyPassword(form.get('username') ?? '', form.get('password') ?? '');
      if (!user) return showLogin(res, details, BAD_CREDENTIALS);
      state.accountId = user.id;
      state.mfaDone = false;
      return proceed(req, res, details, state, user);
    }
    if (!known) return showLogin(res, details);
    if (step === 'mfa') {
      const form = await deps.readForm(req);
      const code = form.get('code');
      // The simulated authenticator accepts "Approve" or any 6-digit code.
      if (form.get('approve') !== '1' && !(code && /^\d{6}$/.test(code))) {
        return send(res, 401, mfaPage({ action: `${base(uid)}/mfa`, upn: known.userPrincipalName, contexts: [], error: 'Enter the 6-digit code from the authenticator.' }));
      }
      state.accountId = known.id;
      state.mfaDone = known.mfa;
      return proceed(req, res, details, state, known);
    }
    return proceed(req, res, details, state, known);
  };
}
