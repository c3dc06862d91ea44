// `moatless sessions revoke --user`: a user Moatless has never seen is an error with a non-zero exit,
// not a silent "revoked 0"; a known user's sessions are revoked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import { runMoatless } from '../harness/processes.ts';

test('sessions revoke: an unknown user exits 1 and says so; a known one is revoked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-revoke-'));
  const db = join(dir, 'db.sqlite');
  writeFileSync(join(dir, 'moatless.yaml'), `
server: { authUrl: "http://auth.localtest.me:8080" }
storage: { kind: sqlite, path: ${db} }
logging: { level: fatal }
`);
  try {
    const store = await openStore({ kind: 'sqlite', path: db }, {});
    const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
    const identity = { userKey: 't:alice', email: 'alice@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };
    await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
    sessions.close();
    await store.close();

    const cfg = ['--config', join(dir, 'moatless.yaml')];
    const unknown = await runMoatless(['sessions', 'revoke', '--user', 'alcie@contoso.com', ...cfg]);
    assert.equal(unknown.code, 1, unknown.stdout);
    assert.match(unknown.stderr, /no user alcie@contoso\.com is known/);
    assert.doesNotMatch(unknown.stdout, /revoked/);

    const known = await runMoatless(['sessions', 'revoke', '--user', 'Alice@contoso.com', ...cfg]);
    assert.equal(known.code, 0, known.stderr);
    assert.match(known.stdout, /^revoked 1 session\(s\) of alice@contoso\.com/);
    const again = await runMoatless(['sessions', 'revoke', '--user', 'alice@contoso.com', ...cfg]);
    assert.equal(again.code, 0, 'a user whose sessions are all revoked is still known');
    assert.match(again.stdout, /^revoked 0 session\(s\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
