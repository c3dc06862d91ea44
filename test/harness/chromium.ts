// Real Chromium for browser scenarios (Debian's /usr/bin/chromium driven by playwright-core).
// *.localtest.me resolves to 127.0.0.1 inside the browser, and no other network is reachable.
// With `noDns`, every name except *.localhost (which Chromium maps to loopback itself, RFC 6761
// §6.3, without asking DNS or /etc/hosts) and loopback literals fails to resolve: what a machine
// with no DNS sees.
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium 156 still preloads the address bar's popups as WebUI pages in a renderer nobody
 * sees (~0.1 core per idle browser here); the remote browser turns them off the same way
 * (src/isolation/chromium-flags.ts).
 */
export const HIDDEN_WEBUI_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/** Merges every --disable-features switch into one (Chromium keeps only the last; Playwright sends its own). */
const LAUNCHER = resolve(import.meta.dirname, 'chromium-merged-features.sh');

/** `args`: extra Chromium flags (e.g. treating a loopback http origin as secure, for the clipboard API). */
export async function launchChromium(opts: { noDns?: boolean; args?: string[] } = {}): Promise<Browser> {
  const rules = opts.noDns
    ? 'MAP * ~NOTFOUND, EXCLUDE *.localhost, EXCLUDE localhost, EXCLUDE 127.0.0.1'
    : 'MAP *.localtest.me 127.0.0.1, MAP localtest.me 127.0.0.1';
  const args = [
    `--host-resolver-rules=${rules}`,
    '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
    '--disable-gpu', `--disable-features=${HIDDEN_WEBUI_FEATURES.join(',')}`,
    ...(opts.args ?? []),
  ];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({
    executablePath: LAUNCHER, headless: true, args, env: { ...process.env, CHROMIUM: '/usr/bin/chromium' },
  });
}
