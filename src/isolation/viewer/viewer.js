// The isolation viewer (runs on the user's device). Draws JPEG frames from the remote browser on a
// canvas and sends input back as allow-listed messages. It never receives the site's HTML, scripts
// or fonts — only pixels, titles, addresses and what the session's controls let through.
const $ = (id) => document.getElementById(id);
const canvas = $('screen');
const ctx2d = canvas.getContext('2d');
// The first JPEG a page decodes pays for starting the decoder (a pooled first frame's draw took
// ~50 ms, a later frame's ~10): a 1×1 one is decoded now, while the WebSocket opens.
const WARM_JPEG = '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAABAAEDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAf/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAAAP/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AJ+AD//Z';
createImageBitmap(new Blob([Uint8Array.from(atob(WARM_JPEG), (c) => c.charCodeAt(0))], { type: 'image/jpeg' })).then((b) => b.close(), () => {});
const keys = $('keys');
const PREFIX = '/browser/';
const target = location.pathname.startsWith(PREFIX) ? location.pathname.slice(PREFIX.length) + location.search : '';
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/isolation/ws${target ? `?url=${encodeURIComponent(target)}` : ''}`;
let ws = null;
let ended = false;
let retry = 0;
let overlayDone = null;
window.__frames = 0;
// When this script ran, its WebSocket opened, the first frame was drawn (page clock, ms): what a
// benchmark reads to say where a first frame's time goes. The first of each is kept.
const marks = window.__marks = { script: performance.now() };
const mark = (k) => { marks[k] ??= performance.now(); };

const send = (m) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m)); };
const mods = (e) => (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);

function toast(text, link) {
  const t = $('toast');
  t.textContent = text;
  if (link) { const a = document.createElement('a'); a.href = link.href; a.textContent = ` ${link.name}`; a.download = link.name; t.append(a); }
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, link ? 30000 : 6000);
}

function showOverlay({ message, prompt, options, restart, cancel = true }) {
  $('message').textContent = message ?? '';
  $('prompt').hidden = prompt === undefined;
  $('prompt').value = prompt ?? '';
  const list = $('options');
  list.replaceChildren();
  for (const [i, o] of (options?.items ?? []).entries()) {
    const li = document.createElement('li');
    li.textContent = o.label;
    if (o.disabled) li.className = 'disabled';
    else li.addEventListener('click', () => closeOverlay(true, i));
    if (i === options.selected) li.classList.add('selected');
    list.append(li);
  }
  $('ok').hidden = Boolean(options) || Boolean(restart);
  $('cancel').hidden = !cancel;
  $('restart').hidden = !restart;
  $('overlay').hidden = false;
  return new Promise((resolve) => { overlayDone = resolve; });
}
function closeOverlay(ok, value) {
  $('overlay').hidden = true;
  const done = overlayDone;
  overlayDone = null;
  done?.({ ok, value });
}
$('ok').addEventListener('click', () => closeOverlay(true, $('prompt').value));
$('cancel').addEventListener('click', () => closeOverlay(false));
$('restart').addEventListener('click', () => { closeOverlay(false); send({ t: 'restart' }); });

// The remote viewport's size as last sent, in CSS pixels. The canvas's box on screen can change
// without a window resize (the tab strip appears, a notice wraps): until the new size reaches the
// remote browser, the frame is stretched over the new box, so input is mapped through this size —
// a click lands where the user sees the thing they click, not where the old layout had it.
let viewport = null;
function resize() {
  const r = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(r.width * dpr));
  const h = Math.max(1, Math.round(r.height * dpr));
  // Setting a canvas's size clears it, even to the same size: only a real change may, and the last
  // frame is drawn again, stretched, until the remote page's frame at the new size follows (else
  // the site just drawn went blank when the notice line filled in, 150 ms into the first frame).
  if (canvas.width !== w || canvas.height !== h) {
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    if (lastBitmap) ctx2d.drawImage(lastBitmap, 0, 0, w, h);
  }
  viewport = { w: Math.max(1, Math.round(r.width)), h: Math.max(1, Math.round(r.height)) };
  send({ t: 'resize', w: viewport.w, h: viewport.h, dpr });
}
let resizeTimer;
const resizeSoon = () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(resize, 150); };
window.addEventListener('resize', resizeSoon);
new ResizeObserver(resizeSoon).observe(canvas);

/** A pointer event's position in the remote viewport's CSS pixels. */
function remotePoint(e) {
  const r = canvas.getBoundingClientRect();
  const sx = viewport && r.width > 0 ? viewport.w / r.width : 1;
  const sy = viewport && r.height > 0 ? viewport.h / r.height : 1;
  return { x: (e.clientX - r.left) * sx, y: (e.clientY - r.top) * sy };
}

// Frames in the order they arrived (the server's order; a restarted remote browser numbers its own
// from 1 again), and the newest one drawn. Two frames can be decoding at once (the stream runs two
// deep) and createImageBitmap may finish them in either order: a frame that finishes after a newer
// one was drawn is stale, and drawing it would leave the canvas behind the page for good once the
// page stops painting (seen under load: the remote page in its final colour, the canvas grey).
let arrived = 0;
let shown = 0;
/** The frame on the canvas, kept to draw again when the canvas is resized (which clears it). */
let lastBitmap = null;
async function drawFrame(buf) {
  const view = new DataView(buf);
  const frame = view.getUint32(1);
  const order = ++arrived;
  try {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(buf, 5)], { type: 'image/jpeg' }));
    if (order > shown) {
      shown = order;
      ctx2d.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      mark('drawn');
      window.__frames++;
      lastBitmap?.close();
      lastBitmap = bitmap;
    } else bitmap.close();
  } finally {
    send({ t: 'ack', f: frame });
  }
}

// Tab buttons are kept per tab id and updated in place: the strip is redrawn on every tab event
// (titles, loads), and a button replaced between a press and its release gets no click — the
// user's click (or middle-click to close) would be lost.
const tabButtons = new Map();
let plusButton = null;
function tabButton(id) {
  let b = tabButtons.get(id);
  if (!b) {
    b = document.createElement('button');
    b.addEventListener('click', () => send({ t: 'tab', a: 'switch', id }));
    b.addEventListener('auxclick', (e) => { if (e.button === 1) send({ t: 'tab', a: 'close', id }); });
    tabButtons.set(id, b);
  }
  return b;
}
function renderTabs(tabs, active) {
  const nav = $('tabs');
  const live = new Set(tabs.map((t) => t.id));
  for (const [id, b] of tabButtons) if (!live.has(id)) { b.remove(); tabButtons.delete(id); }
  if (!plusButton) {
    plusButton = document.createElement('button');
    plusButton.textContent = '+';
    plusButton.title = 'New tab';
    plusButton.addEventListener('click', () => send({ t: 'tab', a: 'new' }));
  }
  const wanted = [];
  for (const t of tabs) {
    const b = tabButton(t.id);
    const text = t.title || t.url || 'New tab';
    if (b.textContent !== text) b.textContent = text;
    if (b.title !== t.url) b.title = t.url;
    b.className = t.id === active ? 'active' : '';
    wanted.push(b);
  }
  wanted.push(plusButton);
  // Move only what is out of place (a moved element keeps its listeners; an unmoved one its press).
  wanted.forEach((b, i) => { if (nav.children[i] !== b) nav.insertBefore(b, nav.children[i] ?? null); });
  while (nav.children.length > wanted.length) nav.lastElementChild.remove();
  const cur = tabs.find((t) => t.id === active);
  if (cur) {
    if (document.activeElement !== $('address')) $('address').value = cur.url === 'about:blank' ? '' : cur.url;
    document.title = `${cur.title || cur.url} · Isolated`;
    if (/^https?:/.test(cur.url)) history.replaceState(null, '', PREFIX + cur.url);
  }
}

async function onEvent(e) {
  switch (e.t) {
    case 'hello': $('why').textContent = `Signed in as ${e.user}; isolated by ${e.reason}.`; window.__controls = e.controls; break;
    case 'state': renderTabs(e.tabs, e.active); break;
    case 'cursor': canvas.style.cursor = e.v; break;
    case 'notice': case 'error': toast(e.text ?? e.message); break;
    case 'clipboard': navigator.clipboard?.writeText(e.s).catch(() => toast('Copied text could not be placed on your clipboard.')); break;
    case 'download': toast('Download ready:', { href: e.href, name: e.name }); break;
    case 'filechooser': $('file').multiple = false; $('file').click(); break;
    case 'dialog': {
      const r = await showOverlay({ message: e.message, prompt: e.kind === 'prompt' ? e.prompt : undefined, cancel: e.kind !== 'alert' });
      send({ t: 'dialog', ok: r.ok, ...(e.kind === 'prompt' && r.ok ? { s: String(r.value) } : {}) });
      break;
    }
    case 'select': {
      const r = await showOverlay({ options: { items: e.options, selected: e.selected } });
      if (r.ok) send({ t: 'select', i: r.value });
      break;
    }
    case 'crashed': showOverlay({ message: e.scope === 'tab' ? 'This tab crashed.' : 'The isolated browser stopped.', restart: true, cancel: false }); break;
    case 'ended': {
      ended = true;
      // No policy isolates the page any more: the user goes there directly (http(s) only).
      const direct = typeof e.direct === 'string' && /^https?:\/\//i.test(e.direct) ? e.direct : null;
      const go = () => { if (direct) location.replace(direct); };
      if (direct) setTimeout(go, 1500);
      const r = await showOverlay({ message: `This isolated session has ended: ${e.reason}.${direct ? ` Opening ${direct} directly…` : ''}`, cancel: false });
      if (r.ok) go();
      break;
    }
  }
}

function connect() {
  ws = new WebSocket(wsUrl);
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('open', () => { mark('open'); retry = 0; resize(); });
  ws.addEventListener('message', (m) => {
    if (typeof m.data === 'string') void onEvent(JSON.parse(m.data));
    else if (new Uint8Array(m.data)[0] === 1) { mark('frame'); void drawFrame(m.data); }
  });
  ws.addEventListener('close', (e) => {
    if (ended || e.code === 4000 || e.code === 4001 || e.code === 4003) {
      if (e.code === 4000) toast('This isolated session was opened in another window.');
      return;
    }
    setTimeout(connect, Math.min(10000, 500 * 2 ** retry++));
  });
}

// Mouse: coordinates in CSS pixels of the remote viewport (remotePoint).
function pointer(type, e) {
  const b = ['left', 'middle', 'right'][e.button] ?? 'none';
  const { x, y } = remotePoint(e);
  send({ t: 'mouse', a: type, x, y, b: type === 'move' ? 'none' : b, n: Math.min(3, e.detail || 1), mods: mods(e) });
}
canvas.addEventListener('mousedown', (e) => { e.preventDefault(); keys.focus({ preventScroll: true }); pointer('down', e); });
canvas.addEventListener('mouseup', (e) => pointer('up', e));
let moveQueued = null;
canvas.addEventListener('mousemove', (e) => {
  if (!moveQueued) requestAnimationFrame(() => { pointer('move', moveQueued); moveQueued = null; });
  moveQueued = e;
});
canvas.addEventListener('contextmenu', (e) => e.preventDefault());
canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  const { x, y } = remotePoint(e);
  send({ t: 'wheel', x, y, dx: e.deltaX, dy: e.deltaY, mods: mods(e) });
}, { passive: false });

// Keyboard: printable characters arrive as committed text (typing, IME, dead keys); the rest as keys.
let composing = false;
const printable = (e) => e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey;
const keyMsg = (a, e) => ({ t: 'key', a, key: e.key.slice(0, 32), code: /^[A-Za-z0-9]{0,32}$/.test(e.code) ? e.code : '', kc: e.keyCode & 255, mods: mods(e) });
keys.addEventListener('keydown', (e) => {
  if (composing || e.isComposing || printable(e)) return;
  // Ctrl+V with paste "allow" must reach the paste event below, so it is not prevented.
  const paste = (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'v';
  if (!paste || window.__controls?.paste !== 'allow') e.preventDefault();
  send(keyMsg('down', e));
});
keys.addEventListener('keyup', (e) => { if (!composing && !printable(e)) send(keyMsg('up', e)); });
keys.addEventListener('compositionstart', () => { composing = true; });
keys.addEventListener('compositionend', (e) => { composing = false; if (e.data) send({ t: 'text', s: e.data }); keys.value = ''; });
keys.addEventListener('input', (e) => {
  if (composing || e.isComposing) return;
  if (keys.value) send({ t: 'text', s: keys.value.slice(0, 1000) });
  keys.value = '';
});
keys.addEventListener('paste', (e) => {
  e.preventDefault();
  send({ t: 'paste', s: e.clipboardData?.getData('text/plain') ?? '' });
});

$('back').addEventListener('click', () => send({ t: 'back' }));
$('forward').addEventListener('click', () => send({ t: 'forward' }));
$('reload').addEventListener('click', () => send({ t: 'reload' }));
$('print').addEventListener('click', () => send({ t: 'print' }));
$('go').addEventListener('submit', (e) => { e.preventDefault(); send({ t: 'nav', url: $('address').value }); keys.focus(); });

$('file').addEventListener('change', async () => {
  const f = $('file').files?.[0];
  $('file').value = '';
  if (!f) return send({ t: 'upload-cancel' });
  send({ t: 'upload', name: f.name.slice(0, 255), size: f.size });
  const bytes = new Uint8Array(await f.arrayBuffer());
  for (let i = 0; i < bytes.length; i += 32768) {
    while (ws.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 20));
    ws.send(bytes.subarray(i, i + 32768));
  }
});

connect();
