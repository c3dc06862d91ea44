// HTML for the emulator's sign-in interaction: the username/password form, the simulated
// authenticator (second factor), and Entra-style error pages. Owns escaping of every
// interpolated value. Must not decide anything: callers pass what to show.

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}
main{max-width:420px;margin:8vh auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.brand{font-weight:600;color:#5e5e5e;margin-bottom:16px}.dev{background:#fff4ce;border:1px solid #d8b000;padding:6px 10px;font-size:13px;margin-bottom:18px}
h1{font-size:24px;font-weight:600;margin:0 0 16px}label{display:block;font-size:14px;margin-top:12px}
input{width:100%;box-sizing:border-box;padding:8px;border:0;border-bottom:1px solid #666;font-size:15px}
button{margin-top:20px;background:#0067b8;color:#fff;border:0;padding:8px 28px;font-size:15px;cursor:pointer}
.error{color:#e81123;margin:8px 0}.hints{font-size:13px;color:#5e5e5e;margin-top:24px}code{font-size:12px}
</style></head><body><main>
<div class="brand">Moatless · Entra ID emulator</div>
<div class="dev">Development emulator — not Microsoft Entra ID. Never use it for real sign-ins.</div>
${body}
</main></body></html>`;
}

export interface LoginPageInput {
  action: string;
  tenantName: string;
  clientName: string;
  loginHint?: string;
  error?: string;
  hints: readonly { upn: string; displayName: string }[];
}

export function loginPage(p: LoginPageInput): string {
  const hints = p.hints.map((h) => `<li><code>${escapeHtml(h.upn)}</code> — ${escapeHtml(h.displayName)}</li>`).join('');
  return layout('Sign in to your account', `
<h1>Sign in</h1>
<p>to continue to ${escapeHtml(p.clientName)} (${escapeHtml(p.tenantName)})</p>
${p.error ? `<p class="error" role="alert">${escapeHtml(p.error)}</p>` : ''}
<form method="post" action="${escapeHtml(p.action)}">
<label for="username">Email, phone, or Skype</label>
<input id="username" name="username" type="email" autocomplete="username" value="${escapeHtml(p.loginHint ?? '')}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<div class="hints">Demo users (the password is in the fixture):<ul>${hints}</ul></div>`);
}

export interface MfaPageInput {
  action: string;
  upn: string;
  contexts: readonly string[];
  error?: string;
}

export function mfaPage(p: MfaPageInput): string {
  return layout('Approve sign in request', `
<h1>Approve sign in request</h1>
<p>${escapeHtml(p.upn)}</p>
<p>Your organisation requires additional verification for ${escapeHtml(p.contexts.join(', ') || 'this sign-in')}. Approve the request in the (simulated) authenticator, or enter its 6-digit code.</p>
${p.error ? `<p class="error" role="alert">${escapeHtml(p.error)}</p>` : ''}
<form method="post" action="${escapeHtml(p.action)}">
<button type="submit" name="approve" value="1">Approve sign-in</button>
</form>
<form method="post" action="${escapeHtml(p.action)}">
<label for="code">Code</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code">
<button type="submit">Verify</button>
</form>`);
}

export interface ErrorPageInput {
  title: string;
  description: string;
  /** Where "Back to the application" posts; absent when there is no application to return to. */
  action?: string;
}

/** Entra's block page ("You cannot access this right now") with the AADSTS line shown under details. */
export function errorPage(p: ErrorPageInput): string {
  return layout(p.title, `
<h1>${escapeHtml(p.title)}</h1>
<p class="error" role="alert">${escapeHtml(p.description)}</p>
${p.action ? `<form method="post" action="${escapeHtml(p.action)}"><button type="submit">Back to the application</button></form>` : ''}`);
}
