// The tests' own Chromium starts no hidden WebUI renderer for the address bar's popups, and keeps
// the features Playwright turns off (its --disable-features and ours end up as one switch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HIDDEN_WEBUI_FEATURES, launchChromium } from './chromium.ts';

test('the user-side Chromium preloads no omnibox popup and keeps Playwright\'s disabled features', async () => {
  // --enable-automation: lets Browser.getBrowserCommandLine answer.
  const browser = await launchChromium({ args: ['--enable-automation'] });
  try {
    const page = await browser.newPage();
    await page.goto('data:text/html,<title>hi</title>');
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const webUi = targetInfos.filter((t) => t.url.startsWith('chrome://')).map((t) => t.url);
    assert.deepEqual(webUi, [], 'no chrome:// WebUI targets');
    const { arguments: argv } = await cdp.send('Browser.getBrowserCommandLine');
    const switches = argv.filter((a) => a.startsWith('--disable-features='));
    assert.equal(switches.length, 1, `one --disable-features switch: ${switches.join(' ')}`);
    const disabled = switches[0]!.slice('--disable-features='.length).split(',');
    // Two of Playwright's own: HTTP stays HTTP, and pages paint at once.
    for (const f of [...HIDDEN_WEBUI_FEATURES, 'HttpsUpgrades', 'PaintHolding']) {
      assert.ok(disabled.includes(f), `${f} disabled`);
    }
  } finally {
    await browser.close();
  }
});
