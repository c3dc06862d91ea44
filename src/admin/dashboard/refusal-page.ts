// The page a signed-in user who is neither admin nor auditor gets at /admin/: says why, whom it
// was checked for, and links to the app launcher. Server-rendered, no scripts (same CSP as the
// launcher). Must not: reveal which groups grant the admin role.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const REFUSAL_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function renderRefusal(email: string, requestId: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Not an administrator · Moatless</title><style>
body{font:16px/1.5 system-ui,sans-serif;background:#f4f6f8;color:#1d2733;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;max-width:34rem;padding:2rem 2.25rem;border-radius:12px;box-shadow:0 1px 3px #0002}
h1{font-size:1.35rem;margin:0 0 .5rem}.btn{display:inline-block;background:#2457c5;color:#fff;padding:.5rem 1rem;
border-radius:8px;text-decoration:none;font-weight:600}.btn:focus-visible{outline:3px solid #f5b700;outline-offset:2px}
small{color:#5b6776}</style></head><body><main>
<h1>The admin dashboard is for administrators</h1>
<p>You are signed in as <strong>${esc(email)}</strong>, which is not in an admin or auditor group.
If you need access, ask your Moatless administrator to add you to one.</p>
<p><a class="btn" href="/">Open your apps</a> &nbsp; <a href="/logout">Sign in as someone else</a></p>
<p><small>Request ID ${esc(requestId)}</small></p></main></body></html>`;
}
