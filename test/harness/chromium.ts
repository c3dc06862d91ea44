// Real Chromium for browser scenarios (Debian's /usr/bin/chromium driven by playwright-core).
// *.localtest.me resolves to 127.0.0.1 inside the browser, and no other network is reachable.
import { chromium, type Browser } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  const args = [
    '--host-resolver-rules=MAP *.localtest.me 127.0.0.1, MAP localtest.me 127.0.0.1',
    '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-gpu',
  ];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}
