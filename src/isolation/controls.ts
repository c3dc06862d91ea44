// Combining data-loss controls: a session's controls only ever tighten. When the remote browser
// goes to a page another policy isolates, each control becomes the stricter of the two, so no
// order of navigation can pick a laxer policy's controls. Pure.
import type { IsolationControls } from '../config/schema/isolation.ts';

/** Each control's values, laxest first. */
const ORDER: { [K in keyof IsolationControls]: readonly IsolationControls[K][] } = {
  copy: ['allow', 'remote-only', 'deny'],
  paste: ['allow', 'remote-only', 'deny'],
  download: ['allow', 'remote-view', 'deny'],
  upload: ['allow', 'deny'],
  keyboard: ['allow', 'deny'],
  print: ['allow', 'deny'],
};

function stricter<K extends keyof IsolationControls>(k: K, a: IsolationControls[K], b: IsolationControls[K]): IsolationControls[K] {
  const o = ORDER[k] as readonly IsolationControls[K][];
  return o.indexOf(a) >= o.indexOf(b) ? a : b;
}

export function strictest(a: IsolationControls, b: IsolationControls): IsolationControls {
  return {
    copy: stricter('copy', a.copy, b.copy), paste: stricter('paste', a.paste, b.paste),
    download: stricter('download', a.download, b.download), upload: stricter('upload', a.upload, b.upload),
    keyboard: stricter('keyboard', a.keyboard, b.keyboard), print: stricter('print', a.print, b.print),
  };
}
