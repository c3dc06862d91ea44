// `moatless isolation-worker` refuses a config it cannot run safely, in one line, before it opens
// the store or starts a browser: no shared secret, a short one, a Gateway without `isolation.proxy`
// (its browsers would go direct), a wildcard listen address with nothing to advertise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigObject, type ResolvedConfig } from '../../src/config/load.ts';
import { startIsolationWorker, WorkerConfigError } from '../../src/cli/isolation-worker.ts';

const base = {
  server: { authUrl: 'https://auth.example.com' },
  storage: { kind: 'sqlite', path: '/nonexistent/never-opened.db' },
};
const SECRET = 's'.repeat(40);

function load(isolation: Record<string, unknown>, extra: Record<string, unknown> = {}, env: Record<string, string> = { W: SECRET }): ResolvedConfig {
  const r = loadConfigObject({ ...base, ...extra, isolation }, { env });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

test('isolation.workers.secret: at least 32 characters', () => {
  const r = loadConfigObject({ ...base, isolation: { workers: { secret: { env: 'W' } } } }, { env: { W: 'short' } });
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.issues.map((i) => i.path), ['isolation.workers.secret']);
  assert.equal(load({ workers: { secret: { env: 'W' } } }).secrets.isolationWorkerSecret, SECRET);
});

test('a worker refuses to start without the secret, with a Gateway but no isolation.proxy, or on a wildcard with nothing to advertise', async () => {
  await assert.rejects(startIsolationWorker(load({})), (e: unknown) => e instanceof WorkerConfigError && /isolation\.workers\.secret/.test(e.message));
  const gateway = { gateway: { listener: { address: '127.0.0.1:3128' } } };
  await assert.rejects(startIsolationWorker(load({ workers: { secret: { env: 'W' } } }, gateway)),
    (e: unknown) => e instanceof WorkerConfigError && /isolation\.proxy is required/.test(e.message));
  await assert.rejects(startIsolationWorker(load({ workers: { secret: { env: 'W' } }, worker: { listen: '0.0.0.0:7480' } })),
    (e: unknown) => e instanceof WorkerConfigError && /advertise/.test(e.message));
});
