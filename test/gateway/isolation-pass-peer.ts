// Another Gateway process for isolation-pass-shared.test.ts: opens the same PostgreSQL schema and
// issues, verifies or deletes one isolation pass, or signs a `moatless-isolated` marker, printing
// the answer as one JSON line. Not a test file.
import { IsolationPasses, isolatedMarker, loadIsolatedMarkerKey } from '../../src/gateway/isolation-pass.ts';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';

const [url, schema, op, a = '', b = ''] = process.argv.slice(2);
const store = await openStore({ kind: 'postgres', url: url!, schema: schema! });
const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
const passes = new IsolationPasses({ kv: store.kv, sessions, lifetimeMs: () => 3_600_000 });
let out: unknown;
if (op === 'issue') {
  const p = await passes.issue({ userKey: a, globalSessionId: b });
  out = { username: p.username, password: p.password };
} else if (op === 'verify') {
  const v = await passes.verify(a, b);
  out = v.ok ? { ok: true, email: v.identity.email } : v;
} else if (op === 'revoke') {
  await passes.revoke(a);
  out = { revoked: a };
} else if (op === 'marker') {
  await loadIsolatedMarkerKey(store.kv);
  out = { marker: isolatedMarker(a, Date.now()) };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
sessions.close();
await store.close();
