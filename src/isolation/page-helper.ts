// The script injected into every document of the remote browser, in an isolated world the page's
// own scripts cannot reach. It reports what screencasts do not show — the cursor shape and native
// <select> lists — through a binding that exists only in that world. What it reports is still
// validated (helper-report.ts): a page can shape what the DOM contains.
export const HELPER_WORLD = '__moatless_isolation';
export const HELPER_BINDING = '__moatlessReport';

export const HELPER_SOURCE = `(() => {
  const report = (m) => { try { ${HELPER_BINDING}(JSON.stringify(m)); } catch {} };
  let lastCursor = '', lastAt = 0;
  document.addEventListener('mousemove', (e) => {
    const now = Date.now();
    if (now - lastAt < 80) return;
    lastAt = now;
    const t = e.target instanceof Element ? e.target : null;
    const c = t ? getComputedStyle(t).cursor : 'auto';
    if (c !== lastCursor) { lastCursor = c; report({ k: 'cursor', v: c }); }
  }, true);
  document.addEventListener('mousedown', (e) => {
    const s = e.target instanceof HTMLSelectElement ? e.target : (e.target instanceof HTMLOptionElement ? e.target.closest('select') : null);
    if (!s || s.multiple || s.size > 1 || s.disabled) return;
    e.preventDefault();
    s.focus();
    globalThis.__moatlessSelect = s;
    report({ k: 'select', options: [...s.options].slice(0, 500).map((o) => ({ label: o.label.slice(0, 200), disabled: o.disabled })), selected: s.selectedIndex });
  }, true);
})();`;

/** Runs in the helper world: picks option `i` of the last reported <select> like a user would. */
export function chooseOptionSource(i: number): string {
  return `(() => { const s = globalThis.__moatlessSelect; if (!s || ${i} < 0 || ${i} >= s.options.length) return false;
    s.selectedIndex = ${i}; s.dispatchEvent(new Event('input', { bubbles: true })); s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`;
}

export const SELECTION_SOURCE = 'String(getSelection() ?? "").slice(0, 1048576)';
