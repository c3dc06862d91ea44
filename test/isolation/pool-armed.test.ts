// A pooled browser's screencast is armed before its user comes (remote-browser.ts `prepare` with
// the session's cast settings): the blank tab's first capture is made while it waits, not during
// the user's navigation, and adopting it restarts nothing when the session casts as it was armed
// (a changed config restarts it at the session's settings). Real Chromium as the isolation account.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, type LaunchOptions } from '../../src/isolation/chromium-process.ts';
import { RemoteBrowser, type CastSettings, type RemoteBrowserOptions, type RemoteSink } from '../../src/isolation/remote-browser.ts';
import { resolveRunAs } from '../../src/isolation/run-as.ts';
import { startPerfPages, type PerfPages } from '../fakes/isolation-pages.ts';
import { until } from './harness.ts';

const LAUNCH: LaunchOptions = {
  chromiumPath: '/usr/bin/chromium', runAs: resolveRunAs('moatless-rbi'), proxy: null, rendererHeapMb: 512, width: 1280, height: 720,
};
const CAST: CastSettings = { quality: 60, maxFrame: { width: 1920, height: 1080 } };

let pages: PerfPages;
before(async () => { pages = await startPerfPages(); });
after(async () => { await pages?.close(); });

/** A prepared, armed browser whose DevTools commands are counted by method. */
async function armedBrowser(): Promise<{ rb: RemoteBrowser; sent: (m: string) => number }> {
  const counts = new Map<string, number>();
  const rb = await RemoteBrowser.prepare(LAUNCH, async (o) => {
    const proc = await launchChromium(o);
    const send = proc.cdp.send.bind(proc.cdp);
    proc.cdp.send = (method, params, session) => {
      counts.set(method, (counts.get(method) ?? 0) + 1);
      return send(method, params, session);
    };
    return proc;
  }, CAST);
  return { rb, sent: (m) => counts.get(m) ?? 0 };
}

function session(cast: CastSettings): RemoteBrowserOptions {
  return {
    launch: LAUNCH, controls: { copy: 'deny', paste: 'deny', download: 'deny', upload: 'deny', keyboard: 'deny', print: 'deny' },
    maxTabs: 4, maxFps: 15, ...cast, maxDownloadBytes: 0, checkNavigation: async () => ({ allow: true }), audit: () => {},
  };
}

test('a pooled browser casts its blank tab before its user comes, and its session\'s start restarts nothing', async () => {
  const { rb, sent } = await armedBrowser();
  try {
    await until(() => sent('Page.startScreencast') === 1, 'the screencast armed in the pool');
    await new Promise((r) => setTimeout(r, 1000)); // its first frame, kept for no one
    await rb.adopt(session(CAST));
    rb.castEarly();
    const frames: number[] = [];
    const sink: RemoteSink = { frame: (d) => frames.push(d.readUInt32BE(1)), event() {}, bufferedAmount: () => 0 };
    rb.attach(sink);
    assert.ok(frames.length >= 1, 'the blank tab\'s frame, captured while pooled, is sent at attach');
    await rb.navigate(pages.colour);
    await until(() => rb.activeUrl === pages.colour, 'the site committed');
    assert.equal(sent('Page.startScreencast'), 1, 'the armed screencast was not restarted');
    assert.equal(sent('Page.stopScreencast'), 0);
  } finally {
    await rb.close();
  }
});

test('a session that casts at other settings than the pool armed restarts the screencast at its own', async () => {
  const { rb, sent } = await armedBrowser();
  try {
    await until(() => sent('Page.startScreencast') === 1, 'the screencast armed in the pool');
    await rb.adopt(session({ quality: 40, maxFrame: CAST.maxFrame }));
    rb.castEarly();
    assert.equal(sent('Page.stopScreencast'), 1);
    assert.equal(sent('Page.startScreencast'), 2);
  } finally {
    await rb.close();
  }
});
