// Memory containment: a page that allocates without end — in typed arrays, which the V8 heap cap
// does not bound — ends its own session once its browser's process tree passes
// `limits.maxMemoryMb`, with the reason in its viewer; another user's session keeps running.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPerfPages, type PerfPages } from '../fakes/isolation-pages.ts';
import type { Stack } from '../harness/stack.ts';
import { signIn, startIsolationStack, until, type Isolation } from './harness.ts';
import { connectRaw } from './raw-viewer.ts';

let stack: Stack;
let iso: () => Isolation;
let pages: PerfPages;
before(async () => {
  // The hog stops at 1.5 GB, so without a watchdog this test fails by timing out, not by the host.
  pages = await startPerfPages({ hogMb: 1536 });
  ({ stack, iso } = await startIsolationStack({ pool: { size: 0 }, limits: { maxMemoryMb: 700 } }));
});
after(async () => {
  await stack?.close();
  await pages?.close();
});

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('a page allocating memory without end ends its own session with a clear message; others keep running', async () => {
  const dave = await signIn(stack, 'dave@contoso.com');
  const eve = await signIn(stack, 'eve@contoso.com');
  const calm = await connectRaw(stack, dave.secret, pages.text);
  await until(() => calm.frames > 0, 'dave\'s first frame', 20_000);
  const davePid = iso().manager.find(dave.userKey)!.remote!.pid;

  const hog = await connectRaw(stack, eve.secret, pages.hog);
  await until(() => hog.frames > 0, 'eve\'s first frame', 20_000);
  const evePid = iso().manager.find(eve.userKey)!.remote!.pid;
  const ended = await Promise.race([
    hog.closed,
    new Promise<null>((r) => setTimeout(() => r(null), 30_000)),
  ]);
  assert.ok(ended, 'eve\'s viewer was closed by the server');
  const end = hog.events.find((e) => e.t === 'ended') as { reason: string } | undefined;
  assert.match(end?.reason ?? '', /more memory than allowed \(\d+ MB, limit 700 MB\)/, 'the viewer is told why');
  assert.equal(iso().manager.find(eve.userKey), undefined, 'eve\'s session is gone');
  await until(() => !alive(evePid), 'eve\'s browser to exit', 10_000);

  // Dave's session, in its own process, is untouched and still answers input with frames.
  const s = iso().manager.find(dave.userKey)!;
  assert.equal(s.state, 'running');
  assert.ok(alive(davePid));
  assert.ok((s.memoryBytes ?? 0) > 0 && s.memoryBytes! < 700 * 1024 ** 2, 'dave was weighed and is under the limit');
  const before = calm.frames;
  calm.send({ t: 'wheel', x: 200, y: 200, dx: 0, dy: 400 });
  await until(() => calm.frames > before, 'a new frame for dave after scrolling', 10_000);
  calm.ws.close();
});
