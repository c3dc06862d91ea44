// The HTML of the "connect this device" pages (server-rendered, no script). Pure.
import type { ProxyCredentialRecord } from '../../store/ports.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:44rem;color:#1d2733}code{background:#eef1f4;padding:.1rem .3rem;border-radius:4px}table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #dde}';
const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Moatless</title><style>${STYLE}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
const when = (t: number | null) => (t === null ? '—' : new Date(t).toISOString().replace('T', ' ').slice(0, 16));

export function devicesPage(p: { email: string; csrf: string; devices: ProxyCredentialRecord[]; authOrigin: string; proxyAddress: string; hasCa: boolean }): string {
  const rows = p.devices.map((c) => `<tr><td>${esc(c.label)}</td><td><code>${esc(c.id)}</code></td><td>${when(c.createdAt)}</td><td>${when(c.lastUsedAt)}</td><td>${c.revokedAt !== null ? 'revoked' : `<form method="post" action="/gateway/devices/revoke"><input type="hidden" name="csrf" value="${p.csrf}"><input type="hidden" name="id" value="${esc(c.id)}"><button>Revoke</button></form>`}</td></tr>`).join('');
  return page('Connect this device', `<p>Signed in as ${esc(p.email)}. The web gateway is at <code>${esc(p.proxyAddress)}</code>.</p>
<form method="post" action="/gateway/devices"><input type="hidden" name="csrf" value="${p.csrf}"><label>Device name <input name="label" maxlength="80" required></label> <button>Create proxy credential</button></form>
${p.hasCa ? `<p>Install the gateway's <a href="/gateway/ca.crt">root certificate</a> so HTTPS sites open without warnings (see docs/gateway.md).</p>` : ''}
<h2>Your devices</h2>${rows ? `<table><tr><th>Name</th><th>Id</th><th>Created</th><th>Last used</th><th></th></tr>${rows}</table>` : '<p>None yet.</p>'}`);
}

export function createdPage(p: { id: string; secret: string; authOrigin: string; proxyAddress: string }): string {
  return page('Proxy credential created', `<p>Enter these when your browser asks for the proxy sign-in. The password is shown only now.</p>
<p>User name: <code>${esc(p.id)}</code><br>Password: <code>${esc(p.secret)}</code></p>
<p>Automatic proxy configuration (PAC) URL: <code>${esc(`${p.authOrigin}/gateway/pac/${p.id}.pac`)}</code></p>
<p><a href="/gateway/devices">Back to your devices</a></p>`);
}
