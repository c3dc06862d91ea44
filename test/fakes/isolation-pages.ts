// Pages for isolation performance and capacity: a solid colour (a first frame of the site is told
// from about:blank by its colour), a button that flips the page's colour on each click
// (click-to-pixel), a long text page (scrolling), and a page that allocates memory without end
// (bounded at `hogMb`, so a broken watchdog cannot take the host down with it).
import { createServer, type Server } from 'node:http';

export interface PerfPages {
  base: string;
  /** rgb(0,128,255) everywhere. */
  colour: string;
  /** The colour page, answered 0.5 s late: a viewer is attached and shown blank frames before it paints. */
  colourLate: string;
  /** A full-page button; each click flips the background between rgb(255,0,0) and rgb(0,0,255). */
  toggle: string;
  /** ~2,000 lines of text to scroll. */
  text: string;
  /** Allocates and touches 32 MB every 100 ms, outside the V8 heap (typed arrays), up to `hogMb`. */
  hog: string;
  close(): Promise<void>;
}

export const COLOUR = [0, 128, 255];

const COLOUR_PAGE = '<!doctype html><title>colour</title><body style="margin:0;background:rgb(0,128,255)">';
const TOGGLE_PAGE = `<!doctype html><title>toggle</title><style>html,body{margin:0;height:100%;background:rgb(255,0,0)}
button{position:absolute;inset:0;width:100%;height:100%;opacity:0}</style><button id="b">flip</button>
<script>let red = true; document.getElementById('b').addEventListener('mousedown', () => {
  red = !red; document.body.style.background = red ? 'rgb(255,0,0)' : 'rgb(0,0,255)'; });</script>`;

function textPage(): string {
  const words = 'isolation remote browser frame canvas policy gateway session pixel scroll'.split(' ');
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) lines.push(`<p>${i} ${Array.from({ length: 14 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ')}</p>`);
  return `<!doctype html><title>text</title><body style="margin:8px;font:15px/1.4 sans-serif">${lines.join('')}`;
}

function hogPage(hogMb: number): string {
  return `<!doctype html><title>hog</title><body style="background:#fff">allocating<script>
const keep = []; let mb = 0;
const t = setInterval(() => { if (mb >= ${hogMb}) return clearInterval(t);
  const a = new Uint8Array(32 << 20); a.fill(1); keep.push(a); mb += 32; document.title = 'hog ' + mb; }, 100);
</script>`;
}

export async function startPerfPages(opts: { hogMb?: number } = {}): Promise<PerfPages> {
  const pages: Record<string, string> = {
    '/colour': COLOUR_PAGE, '/toggle': TOGGLE_PAGE, '/text': textPage(), '/hog': hogPage(opts.hogMb ?? 1536),
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = path === '/colour-late' ? COLOUR_PAGE : pages[path];
    const answer = () => {
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body ?? 'not found');
    };
    if (path === '/colour-late') setTimeout(answer, 500);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base, colour: `${base}/colour`, colourLate: `${base}/colour-late`, toggle: `${base}/toggle`, text: `${base}/text`, hog: `${base}/hog`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
