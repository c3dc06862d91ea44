// Egress safety end to end: the gateway, aimed at 169.254.169.254 (every spelling, and a name that
// resolves to it), at its own listeners and at unlisted loopback, refuses without dialling. The
// scenario runs in a network namespace this test creates, where 169.254.169.254 is a local listener
// that counts connections: no packet can leave the machine even if the check were wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

function haveUnshare(): boolean {
  try {
    execFileSync('unshare', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('the gateway never dials metadata, its own listeners or unlisted loopback (in a private netns)', () => {
  // Fail loudly: running this scenario outside a namespace could reach a real metadata service.
  assert.ok(haveUnshare(), 'unshare(1) is required for this test (util-linux) and must be able to create a network namespace (root)');
  const script = resolve(import.meta.dirname, 'netns/egress-scenario.ts');
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip addr add 169.254.169.254/32 dev lo && exec "$0" "$1"', process.execPath, script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `scenario failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  for (const target of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0251.0376.0251.0376/', 'http://[::ffff:169.254.169.254]/', 'http://metadata.test/', 'http://rebind.test/']) {
    assert.equal(out[target], 403, target);
  }
  assert.equal(out['own auth listener'], 403);
  assert.equal(out['own listener for admin'], 403);
  assert.equal(out['loopback not allowed'], 403);
  assert.equal(out.connect, 'HTTP/1.1 403');
  assert.equal(out.hitsBeforeAdmin, 0, 'nothing reached the metadata listener');
  // The exception works, and the listener would have seen a mistaken dial: an allow rule naming it opens it.
  assert.equal(out.admin, 200);
  assert.equal(out.hits, 1);
  assert.deepEqual(out.dialled, ['169.254.169.254:80']);
});
