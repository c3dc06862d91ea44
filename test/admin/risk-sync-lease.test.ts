// `POST /risk/sync` runs its cycle under the schedule's lease: while any cycle runs — a second hand-
// started one, or the schedule's on any replica — the call is a 409 in the admin error format that
// names the running cycle and says what to do, and the lease is given up when a cycle ends, failed
// or not. Real server and store; the Graph read of risky users is held open (or failed) by a gate
// in front of the Entra emulator, so "while a cycle runs" is a state the test waits for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminToken } from '../../src/admin/index.ts';
import { RISK_LEASE, takeCycleLease } from '../../src/risk/cycle-lease.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { call } from './helpers.ts';

const DAY = 86_400_000;
let s: Stack;
let api: string;
let write: Record<string, string>;

/** What the next risky-user reads meet: passed through, held until opened, or refused (403). */
let gate: { mode: 'pass' } | { mode: 'hold'; entered: () => void; opened: Promise<void> } | { mode: 'refuse' } = { mode: 'pass' };
const gatedFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (url.includes('/identityProtection/riskyUsers')) {
    const g = gate;
    if (g.mode === 'refuse') return Response.json({ error: { code: 'Authorization_RequestDenied', message: 'no' } }, { status: 403 });
    if (g.mode === 'hold') {
      g.entered();
      await g.opened;
    }
  }
  return fetch(input, init);
};
function hold(): { entered: Promise<void>; open: () => void } {
  let entered!: () => void;
  let open!: () => void;
  const enteredP = new Promise<void>((r) => { entered = r; });
  const opened = new Promise<void>((r) => { open = r; });
  gate = { mode: 'hold', entered, opened };
  return { entered: enteredP, open };
}

const sync = (body: unknown = {}) => call(s.browser(), `${api}/risk/sync`, { method: 'POST', body, headers: write });
const lease = () => s.moatless.store.kv.get(RISK_LEASE.ns, RISK_LEASE.key);

before(async () => {
  s = await startStack({
    extra: { risk: { identityProvider: 'entra', outputs: ['directory'], interval: '1h' } },
    // No schedule in this process: the only cycles are the ones the tests start.
    compose: { pollGraph: false, idpFetch: gatedFetch },
  });
  api = `${s.authUrl}/api/v1`;
  write = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ci', scope: 'write', expiresInMs: DAY, now: Date.now() })).token}` };
});
after(async () => { await s?.close(); });

test('two hand-started cycles at once: one runs, the other is a 409 naming it', async () => {
  const g = hold();
  const first = sync();
  await g.entered;
  const second = await sync();
  assert.equal(second.status, 409, second.body);
  assert.equal(second.json['code'], 'conflict');
  assert.deepEqual(second.json['details'], []);
  assert.match(String(second.json['message']),
    /^a risk-sync cycle is already running \(started by hand on .+ at \d{4}-\d\d-\d\dT[\d:.]+Z\); wait for it to end — `moatless risk status` shows its result — then run again$/);
  gate = { mode: 'pass' };
  g.open();
  const done = await first;
  assert.equal(done.status, 200, done.body);
  assert.equal(done.json['ok'], true);
  assert.equal(await lease(), null, 'the lease is given up when the cycle ends');
});

test('while a scheduled cycle holds the lease (any replica), a hand-started one is a 409; after it, it runs', async () => {
  const scheduled = await takeCycleLease({ store: s.moatless.store }, { trigger: 'schedule', ttlMs: 60_000, id: 'replica-b' });
  assert.ok(scheduled);
  const refused = await sync({ dryRun: true });
  assert.equal(refused.status, 409);
  assert.match(String(refused.json['message']), /already running \(started by the schedule on .+ at .+Z\)/);
  await scheduled.release();
  assert.equal((await sync({ dryRun: true })).status, 200);
});

test('a failed cycle gives the lease up: the report says why and the next call runs', async () => {
  gate = { mode: 'refuse' };
  const failed = await sync();
  assert.equal(failed.status, 200, failed.body);
  assert.equal(failed.json['ok'], false);
  assert.equal((failed.json['error'] as { code: string }).code, 'permission_missing');
  assert.equal(await lease(), null);
  gate = { mode: 'pass' };
  assert.equal((await sync()).json['ok'], true);
});
