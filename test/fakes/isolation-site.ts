// The site an isolated user opens in scenario tests: a deterministic page with a button at a known
// place that records trusted clicks, a form, a secret marker that must never reach the user's
// browser, a button opening 1,000 popups per click (reported once the page has run them all), a clipboard writer, a word to copy, a download, a download
// without end (a bomb), a file input that reports what was uploaded, a popup page of its own colour,
// and a page that repaints in bursts (/burst: each click, 30 quick colour changes, then it stays still).
import { createServer, type Server } from 'node:http';

export const SECRET = 'SECRET-ISOLATED-TEXT-7f3a';

export interface IsolationSite {
  url: string;
  clicks: { x: number; y: number; trusted: boolean }[];
  typed: string[];
  /** What the page wrote to its (remote) clipboard, once the write resolved. */
  clipboardWrites: string[];
  /** The popup button's clicks the page has finished (1,000 window.open() each), by the page's path. */
  floods: string[];
  /** /burst's rounds as the page saw them: `click N` when a click starts round N, `final N` when it settles. */
  burstLog: string[];
  /** When /burst reported round N settled (Date.now(), this process's clock), by N. */
  burstSettledAt: number[];
  uploads: { name: string; text: string }[];
  /** Bytes the endless download (/bomb) had sent when its connection closed, one entry per closed request. */
  bombs: number[];
  readonly downloads: number;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>Isolated site</title>
<style>body{margin:0;font:16px sans-serif;background:#fff} #b{position:absolute;left:40px;top:40px;width:200px;height:80px}
#f{position:absolute;left:40px;top:160px;width:300px;height:30px} #p{position:absolute;left:40px;top:220px;width:200px;height:40px}
#c{position:absolute;left:300px;top:40px;width:200px;height:80px} #s{position:absolute;left:40px;top:300px}
#w{position:absolute;left:560px;top:60px} #d{position:absolute;left:360px;top:160px;width:150px;height:30px;display:block}
#u{position:absolute;left:300px;top:220px;width:200px;height:40px} #bomb{position:absolute;left:560px;top:160px;width:100px;height:30px;display:block}
#o{position:absolute;left:40px;top:400px;width:200px;height:40px}</style>
<button id="b">Press me</button><input id="f" name="f" autocomplete="off"><button id="p">Popups</button>
<button id="c">Write clipboard</button><p id="s">${SECRET}</p><span id="w">copyword</span>
<a id="d" href="/file.txt">Download</a><input id="u" type="file"><a id="bomb" href="/bomb">Bomb</a><button id="o">One popup</button>
<script>
document.getElementById('b').addEventListener('click', (e) => {
  document.body.style.background = 'rgb(255,0,0)';
  fetch('/clicked?x=' + e.clientX + '&y=' + e.clientY + '&trusted=' + e.isTrusted);
});
document.getElementById('f').addEventListener('change', (e) => fetch('/typed?v=' + encodeURIComponent(e.target.value)));
document.getElementById('f').addEventListener('keydown', (e) => { if (e.key === 'Enter') fetch('/typed?v=' + encodeURIComponent(e.target.value)); });
document.getElementById('p').addEventListener('click', () => {
  for (let i = 0; i < 1000; i++) window.open('/popup?' + i);
  fetch('/flooded?page=' + encodeURIComponent(location.pathname + location.search));
});
document.getElementById('c').addEventListener('click', () => {
  const text = location.search.slice(1) || 'clip';
  navigator.clipboard.writeText(text).then(() => fetch('/clipboard-written?v=' + encodeURIComponent(text)));
});
document.getElementById('o').addEventListener('click', () => window.open('/green'));
document.getElementById('u').addEventListener('change', async (e) => {
  const f = e.target.files[0];
  fetch('/uploaded?name=' + encodeURIComponent(f.name) + '&text=' + encodeURIComponent(await f.text()));
});
</script>`;

/** The colour /burst settles on after its n-th click (n from 1). */
export const BURST_COLOURS = [[255, 0, 0], [0, 0, 255], [0, 160, 0], [255, 255, 0], [255, 0, 255], [0, 255, 255]];
const BURST_PAGE = `<!doctype html><meta charset="utf-8"><title>Burst</title><body style="margin:0;height:100vh;background:#fff">
<script>
const last = ${JSON.stringify(BURST_COLOURS)};
let round = 0;
addEventListener('click', () => {
  const end = last[round++ % last.length];
  const n = round;
  fetch('/burst-log?e=click+' + n);
  let i = 0;
  const t = setInterval(() => {
    const v = (i * 37) % 200 + 30;
    document.body.style.background = ++i < 30 ? 'rgb(' + v + ',' + v + ',' + v + ')' : 'rgb(' + end.join(',') + ')';
    if (i >= 30) { clearInterval(t); fetch('/burst-log?e=final+' + n); }
  }, 8);
});
</script>`;

export async function startIsolationSite(): Promise<IsolationSite> {
  const clicks: IsolationSite['clicks'] = [];
  const typed: string[] = [];
  const clipboardWrites: string[] = [];
  const burstLog: string[] = [];
  const floods: string[] = [];
  const burstSettledAt: number[] = [];
  const uploads: IsolationSite['uploads'] = [];
  const bombs: number[] = [];
  let downloads = 0;
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/clicked') {
      clicks.push({ x: Number(u.searchParams.get('x')), y: Number(u.searchParams.get('y')), trusted: u.searchParams.get('trusted') === 'true' });
      res.end('ok');
      return;
    }
    if (u.pathname === '/flooded') {
      floods.push(u.searchParams.get('page') ?? '');
      res.end('ok');
      return;
    }
    if (u.pathname === '/typed') {
      typed.push(u.searchParams.get('v') ?? '');
      res.end('ok');
      return;
    }
    if (u.pathname === '/burst-log') {
      const e = u.searchParams.get('e') ?? '';
      burstLog.push(e);
      if (e.startsWith('final ')) burstSettledAt[Number(e.slice(6))] = Date.now();
      res.end('ok');
      return;
    }
    if (u.pathname === '/clipboard-written') {
      clipboardWrites.push(u.searchParams.get('v') ?? '');
      res.end('ok');
      return;
    }
    if (u.pathname === '/uploaded') {
      uploads.push({ name: u.searchParams.get('name') ?? '', text: u.searchParams.get('text') ?? '' });
      res.end('ok');
      return;
    }
    if (u.pathname === '/green') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Green popup</title><body style="margin:0;background:rgb(0,160,0)">');
      return;
    }
    if (u.pathname === '/burst') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(BURST_PAGE);
      return;
    }
    if (u.pathname === '/bomb') {
      // A download without end: 64 KiB chunks for as long as the client reads.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="bomb.bin"' });
      const chunk = Buffer.alloc(65_536, 0x41);
      let sent = 0;
      const pump = () => { while (!res.destroyed) { sent += chunk.length; if (!res.write(chunk)) return; } };
      res.on('drain', pump);
      res.on('close', () => bombs.push(sent));
      pump();
      return;
    }
    if (u.pathname === '/file.txt') {
      downloads++;
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
    url: `http://127.0.0.1:${port}/`, clicks, typed, clipboardWrites, burstLog, burstSettledAt, floods, uploads, bombs,
    get downloads() { return downloads; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
