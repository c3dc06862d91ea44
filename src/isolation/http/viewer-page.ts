// The viewer's HTML: a toolbar, a canvas, a hidden text box for keyboard and IME input, and overlays
// for dialogs, lists and notices. Static: no user data is templated in; viewer.js reads the URL.
// viewer.js and viewer.css are inlined, each allowed by its SHA-256 in the CSP (nothing else runs or
// styles the page): one request instead of three before the viewer's WebSocket can open, on the
// pooled first frame's path (whose site frame is often ready before the viewer is).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const VIEWER_SCRIPT = readFileSync(new URL('../viewer/viewer.js', import.meta.url), 'utf8');
export const VIEWER_STYLE = readFileSync(new URL('../viewer/viewer.css', import.meta.url), 'utf8');
// Inline text ends at the first `</script` / `</style`: neither file may contain it.
if (/<\/script/i.test(VIEWER_SCRIPT) || /<\/style/i.test(VIEWER_STYLE)) throw new Error('the viewer cannot be inlined');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const VIEWER_CSP = `default-src 'none'; script-src ${sha256(VIEWER_SCRIPT)}; style-src ${sha256(VIEWER_STYLE)}; `
  + "img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function viewerPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Isolated browser · Moatless</title>
<style>${VIEWER_STYLE}</style><script type="module">${VIEWER_SCRIPT}</script></head>
<body><header id="bar">
<button id="back" title="Back" aria-label="Back">&#8592;</button><button id="forward" title="Forward" aria-label="Forward">&#8594;</button>
<button id="reload" title="Reload" aria-label="Reload">&#8635;</button>
<form id="go"><input id="address" aria-label="Address" autocomplete="off" spellcheck="false"></form>
<button id="print" title="Print" aria-label="Print">&#128424;</button>
</header>
<nav id="tabs" aria-label="Tabs"></nav>
<p id="notice" role="status">Isolated browsing: this site runs in a remote browser at Moatless; no code from it runs on your device.
<span id="why"></span></p>
<main id="stage"><canvas id="screen" tabindex="0"></canvas><textarea id="keys" aria-label="Keyboard input" autocapitalize="off" autocomplete="off" spellcheck="false"></textarea></main>
<div id="overlay" hidden><div id="box"><p id="message"></p><input id="prompt" hidden><ul id="options"></ul>
<div id="actions"><button id="ok">OK</button><button id="cancel">Cancel</button><button id="restart" hidden>Restart</button></div></div></div>
<div id="toast" role="alert" hidden></div><input id="file" type="file" hidden>
</body></html>`;
}
