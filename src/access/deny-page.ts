// The page a refused user sees: branded, with a request id to quote to the help desk and, when the
// admin configured one (server.support), whom to ask. Reasons appear only when debugging is on —
// they tell an attacker what to fake.
import type { ServerResponse } from 'node:http';

export interface DenyPageInput {
  status: number;
  title: string;
  message: string;
  requestId: string;
  reasons?: string[];
  signOutUrl?: string;
  retryUrl?: string;
  /** server.support: an email address and/or an https help page. */
  support?: { contact?: string | undefined; url?: string | undefined };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function supportLinks(p: DenyPageInput): string {
  const links: string[] = [];
  const contact = p.support?.contact;
  if (contact) {
    const subject = encodeURIComponent(`Moatless request ${p.requestId}`);
    links.push(`<a href="mailto:${esc(contact)}?subject=${subject}">${esc(contact)}</a>`);
  }
  if (p.support?.url) links.push(`<a href="${esc(p.support.url)}">the help desk</a>`);
  if (links.length === 0) return '';
  return `<p class="help">Need help? Contact ${links.join(' or ')} and quote the request ID below.</p>`;
}

export function renderDenyPage(p: DenyPageInput): string {
  const reasons = p.reasons && p.reasons.length > 0 ? `<details open><summary>Why (debug mode)</summary><ul>${p.reasons.map((r) => `<li><code>${esc(r)}</code></li>`).join('')}</ul></details>` : '';
  const actions = [
    p.retryUrl ? `<a class="btn" href="${esc(p.retryUrl)}">Try again</a>` : '',
    p.signOutUrl ? `<a href="${esc(p.signOutUrl)}">Sign in as someone else</a>` : '',
  ].join(' ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(p.title)} · Moatless</title><style>
body{font:16px/1.5 system-ui,sans-serif;background:#f4f6f8;color:#1d2733;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:2rem 2.5rem;max-width:34rem}
h1{font-size:1.4rem;margin:.2rem 0 1rem}.brand{color:#2a6df4;font-weight:600;letter-spacing:.02em}
.rid{color:#5b6675;font-size:.85rem;margin-top:1.5rem}code{background:#eef1f4;padding:.1rem .3rem;border-radius:4px}
.btn{background:#2a6df4;color:#fff;padding:.45rem .9rem;border-radius:6px;text-decoration:none;margin-right:1rem}
</style></head><body><main><div class="brand">Moatless</div><h1>${esc(p.title)}</h1><p>${esc(p.message)}</p>${reasons}<p>${actions}</p>${supportLinks(p)}
<p class="rid">Request ID: <code>${esc(p.requestId)}</code> · HTTP ${p.status}</p></main></body></html>`;
}

/** What the page is written to: node:http's ServerResponse, or src/http1's ServerReply (the Gateway's decrypted tunnels). */
export type DenyPageReply = Pick<ServerResponse, 'headersSent'> & {
  writeHead(status: number, fields: Record<string, string | number>): unknown;
  end(body: string): unknown;
  destroy(): unknown;
};

/** The deny page, or its JSON form; `extra` fields go out with it (the Gateway's Proxy-Authenticate). */
export function sendDenyPage(res: DenyPageReply, p: DenyPageInput, asJson: boolean, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = asJson
    ? JSON.stringify({
      error: p.title, message: p.message, requestId: p.requestId,
      ...(p.reasons ? { reasons: p.reasons } : {}),
      ...(p.support?.contact || p.support?.url ? { support: p.support } : {}),
    })
    : renderDenyPage(p);
  res.writeHead(p.status, {
    'content-type': asJson ? 'application/json' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'moatless-request-id': p.requestId,
    ...extra,
  });
  res.end(body);
}
