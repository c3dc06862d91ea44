// The site an isolated user opens in scenario tests: a deterministic page with a button at a known
// place that records trusted clicks, a form, a secret marker that must never reach the user's
// browser, a link opening many popups, a clipboard writer, a download and a file input.
import { createServer, type Server } from 'node:http';

export const SECRET = 'SECRET-ISOLATED-TEXT-7f3a';

export interface IsolationSite {
  url: string;
  clicks: { x: number; y: number; trusted: boolean }[];
  typed: string[];
  close(): Promise<void>;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>Isolated site</title>
<style>body{margin:0;font:16px sans-serif;background:#fff} #b{position:absolute;left:40px;top:40px;width:200px;height:80px}
#f{position:absolute;left:40px;top:160px;width:300px;height:30px} #p{position:absolute;left:40px;top:220px;width:200px;height:40px}
#c{position:absolute;left:300px;top:40px;width:200px;height:80px} #s{position:absolute;left:40px;top:300px}</style>
<button id="b">Press me</button><input id="f" name="f" autocomplete="off"><button id="p">Popups</button>
<button id="c">Write clipboard</button><p id="s">${SECRET}</p>
<script>
document.getElementById('b').addEventListener('click', (e) => {
  document.body.style.background = 'rgb(255,0,0)';
  fetch('/clicked?x=' + e.clientX + '&y=' + e.clientY + '&trusted=' + e.isTrusted);
});
document.getElementById('f').addEventListener('change', (e) => fetch('/typed?v=' + encodeURIComponent(e.target.value)));
document.getElementById('f').addEventListener('keydown', (e) => { if (e.key === 'Enter') fetch('/typed?v=' + encodeURIComponent(e.target.value)); });
document.getElementById('p').addEventListener('click', () => { for (let i = 0; i < 1000; i++) window.open('/popup?' + i); });
document.getElementById('c').addEventListener('click', () => navigator.clipboard.writeText(location.search.slice(1) || 'clip'));
</script>`;

export async function startIsolationSite(): Promise<IsolationSite> {
  const clicks: IsolationSite['clicks'] = [];
  const typed: string[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/clicked') {
      clicks.push({ x: Number(u.searchParams.get('x')), y: Number(u.searchParams.get('y')), trusted: u.searchParams.get('trusted') === 'true' });
      res.end('ok');
      return;
    }
    if (u.pathname === '/typed') {
      typed.push(u.searchParams.get('v') ?? '');
      res.end('ok');
      return;
    }
    if (u.pathname === '/file.txt') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="file.txt"' });
      res.end('downloaded bytes');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`, clicks, typed,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
