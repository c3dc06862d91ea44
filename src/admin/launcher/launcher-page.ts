// The app launcher's HTML: the user's identity, the apps they may open, their sessions with a
// revoke button each. Owns: markup and escaping. Must not: include scripts (the CSP forbids them)
// or anything not already known to the signed-in user.
import type { Identity } from '../../identity/identity.ts';
import type { SessionRecord } from '../../store/ports.ts';
import type { LauncherApp } from './visible-apps.ts';

export const LAUNCHER_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export interface LauncherView {
  identity: Identity;
  apps: LauncherApp[];
  sessions: SessionRecord[];
  currentSessionId: string;
  csrf: string;
}

export function renderLauncher(v: LauncherView): string {
  const apps = v.apps.length === 0
    ? '<p>No application is open to you at the moment.</p>'
    : `<ul class="apps">${v.apps.map((a) => `<li><a href="${esc(a.url)}">${esc(a.name)}</a>${a.stepUp ? ' <small>(asks for an extra sign-in step)</small>' : ''}</li>`).join('')}</ul>`;
  const rows = v.sessions.map((s) => `<tr><td>${s.kind === 'global' ? 'Sign-in' : `App: ${esc(s.appId ?? '')}`}${s.id === v.currentSessionId ? ' <b>(this browser)</b>' : ''}</td>`
    + `<td>${esc(when(s.createdAt))}</td><td>${esc(s.ip ?? '-')}</td><td>${esc((s.userAgent ?? '-').slice(0, 80))}</td>`
    + `<td><form method="post" action="/me/sessions/revoke"><input type="hidden" name="session" value="${esc(s.id)}">`
    + `<input type="hidden" name="csrf" value="${esc(v.csrf)}"><button type="submit">Revoke</button></form></td></tr>`).join('');
  const id = v.identity;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Your apps · Moatless</title><style>
body{font:16px/1.5 system-ui,sans-serif;background:#f4f6f8;color:#1d2733;margin:0;padding:2rem}main{max-width:60rem;margin:auto}
section{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:1.2rem 1.8rem;margin-bottom:1.2rem}
.brand{color:#2a6df4;font-weight:600}.apps{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.8rem}
.apps a{display:block;padding:.8rem 1.2rem;border:1px solid #d5dbe3;border-radius:8px;text-decoration:none;color:#1d2733}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eef1f4;font-size:.92rem}
</style></head><body><main><div class="brand">Moatless</div>
<section><h1>Your applications</h1>${apps}</section>
<section><h2>Signed in as ${esc(id.email)}</h2><p>${id.name ? `${esc(id.name)} · ` : ''}via ${esc(id.idp)}${id.groupNames.length > 0 ? ` · groups: ${esc(id.groupNames.join(', '))}` : ''}</p>
<p><a href="/logout">Sign out everywhere</a></p></section>
<section><h2>Your sessions</h2><table><thead><tr><th>Session</th><th>Started</th><th>Address</th><th>Browser</th><th></th></tr></thead><tbody>${rows}</tbody></table></section>
</main></body></html>`;
}
