// The guard in a real Node process: a stray rejection is logged and counted and the process keeps
// serving; an uncaught exception drains, flushes the fatal line and exits 70.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const GUARD = fileURLToPath(new URL('./process-guard.ts', import.meta.url));

/** A child that installs the guard on its own `process`, with a buffered pino logger as serving processes have. */
function child(body: string, drain = "async () => { await new Promise((r) => setTimeout(r, 50)); logger.info('drained'); }", deadlineMs = 5000): Promise<{ code: number | null; stdout: string }> {
  const script = `
    import { pino } from 'pino';
    import { Registry } from 'prom-client';
    const { guardProcess } = await import(${JSON.stringify(GUARD)});
    const logger = pino({ base: null }, pino.destination({ dest: 1, sync: false, minLength: 4096 }));
    const registry = new Registry();
    guardProcess({ logger, registry, drainDeadlineMs: ${deadlineMs}, drain: ${drain} });
    ${body}`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    p.stdout.on('data', (c: Buffer) => { stdout += c; });
    const kill = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.on('error', reject);
    p.on('close', (code) => { clearTimeout(kill); resolve({ code, stdout }); });
  });
}

const lines = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('a rejection nobody handles is logged with its stack and counted, and the process keeps running', async () => {
  const r = await child(`
    void Promise.reject(new Error('forgotten catch'));
    void Promise.reject('not an Error');
    await new Promise((r) => setTimeout(r, 100));
    const m = await registry.getSingleMetricAsString('moatless_unhandled_rejections_total');
    logger.info({ metric: m.split('\\n').at(-1) }, 'still serving');
    logger.flush();
  `);
  assert.equal(r.code, 0);
  const out = lines(r.stdout);
  const errors = out.filter((l) => l.level === 50);
  assert.equal(errors.length, 2);
  assert.match(String((errors[0]!.err as { stack: string }).stack), /forgotten catch\n\s+at /);
  assert.match(String((errors[1]!.err as { message: string }).message), /not an Error/);
  const alive = out.find((l) => l.msg === 'still serving');
  assert.equal(alive?.metric, 'moatless_unhandled_rejections_total 2');
});

test('an uncaught exception drains, flushes the fatal line and exits 70 for the supervisor', async () => {
  const r = await child(`
    setTimeout(() => { throw new Error('state unknown'); }, 10);
    setInterval(() => {}, 1000); // a server's open handles: without the guard's exit it would never stop
  `);
  assert.equal(r.code, 70);
  const out = lines(r.stdout);
  const fatal = out.find((l) => l.level === 60);
  assert.match(String((fatal?.err as { message: string } | undefined)?.message), /state unknown/);
  assert.ok(out.some((l) => l.msg === 'drained'), 'the drain ran before the exit');
});

test('the exit still comes when the drain hangs', async () => {
  const started = Date.now();
  const r = await child(`
    setTimeout(() => { throw new Error('stuck'); }, 10);
    setInterval(() => {}, 1000);
  `, '() => new Promise(() => {})', 300);
  assert.equal(r.code, 70);
  assert.ok(Date.now() - started < 10_000);
});
