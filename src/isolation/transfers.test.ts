// A download's completion is handled in a fire-and-forget CDP event handler: whatever fails there
// (the file gone from the session's directory, e.g. removed at session end) must reach the viewer as
// a notice, never as an unhandled rejection — with no process-level handler, that stops the server
// and every user's session with it. Driven through a real CdpConnection whose other end is this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CdpConnection } from './cdp-pipe.ts';
import { Transfers } from './transfers.ts';
import type { RemoteBrowserOptions } from './remote-browser.ts';
import type { ViewerEvent } from './types.ts';

test('a completed download whose file is gone tells the viewer, and rejects nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-transfers-'));
  const fromBrowser = new PassThrough();
  const toBrowser = new PassThrough();
  // Every command is answered with an empty result, as Chromium does for Browser.setDownloadBehavior.
  toBrowser.setEncoding('utf8');
  toBrowser.on('data', (chunk: string) => {
    for (const text of chunk.split('\0').filter(Boolean)) fromBrowser.write(`${JSON.stringify({ id: (JSON.parse(text) as { id: number }).id, result: {} })}\0`);
  });
  const event = (method: string, params: object) => fromBrowser.write(`${JSON.stringify({ method, params })}\0`);
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);
  process.on('unhandledRejection', onRejection);
  try {
    const options = {
      controls: { download: 'allow' }, maxDownloadBytes: 1_000_000, audit: () => {},
    } as unknown as RemoteBrowserOptions;
    const transfers = new Transfers(new CdpConnection(fromBrowser, toBrowser), dir, options);
    const events: ViewerEvent[] = [];
    await transfers.init((e) => events.push(e), async () => {});
    event('Browser.downloadWillBegin', { guid: 'g-1', suggestedFilename: 'report.pdf', url: 'https://site.example/report.pdf' });
    // Completed, but no file at dir/g-1 (the directory was emptied meanwhile).
    event('Browser.downloadProgress', { guid: 'g-1', state: 'completed', receivedBytes: 10, totalBytes: 10 });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(rejections, [], 'no unhandled rejection');
    assert.ok(events.some((e) => e.t === 'notice' && /report\.pdf/.test(e.text)), `the viewer is told (events: ${JSON.stringify(events)})`);
  } finally {
    process.off('unhandledRejection', onRejection);
    rmSync(dir, { recursive: true, force: true });
  }
});
