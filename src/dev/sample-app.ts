// A tiny upstream app for the demo: shows who Moatless says you are (the decoded assertion and the
// identity headers it received). Development only.
import { createServer, type Server } from 'node:http';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function startSampleApp(name: string, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    const jwt = req.headers['moatless-jwt-assertion'];
    let claims = '(no assertion header: this request did not come through Moatless)';
    if (typeof jwt === 'string') {
      try {
        claims = JSON.stringify(JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()), null, 2);
      } catch {
        claims = '(unreadable assertion)';
      }
    }
    const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v ?? ''}`).join('\n');
    const body = `<!doctype html><meta charset="utf-8"><title>${esc(name)}</title><body style="font:15px system-ui;margin:2rem;max-width:60rem">
<h1>${esc(name)}</h1><p>You reached <b>${esc(name)}</b> through Moatless. <a href="/.moatless/identity">Your identity</a> · <a href="/.moatless/logout">Sign out</a></p>
<h2>Assertion claims</h2><pre style="background:#f4f6f8;padding:1rem">${esc(claims)}</pre>
<h2>Request headers the app received</h2><pre style="background:#f4f6f8;padding:1rem">${esc(headers)}</pre>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
