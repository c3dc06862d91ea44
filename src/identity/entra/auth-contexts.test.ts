// Authentication-context import: Graph list → the store's key-value repository → listed back,
// through the CLI-style command, against the emulator and a real SQLite store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEntraEmulator, type EntraEmulator } from '../../dev/entra/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { AUTH_CONTEXTS_NS, importAuthContexts, listImportedAuthContexts, runAuthContextsImport } from './auth-contexts.ts';
import { entraConfig, FIXTURE, SECRET } from './testing/emulator-sign-in.ts';

let emulator: EntraEmulator;
let store: Store;
let dir: string;
before(async () => {
  emulator = await startEntraEmulator({ fixturePath: FIXTURE });
  dir = await mkdtemp(join(tmpdir(), 'moatless-authctx-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
});
after(async () => {
  await store.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

test('import reads the tenant\'s contexts from Graph, saves them per IdP and prints them', async () => {
  let printed = '';
  const list = await runAuthContextsImport(entraConfig(emulator), SECRET, store, { write: (s) => { printed += s; } });
  const c1 = { id: 'c1', displayName: 'Payroll — MFA from a compliant device', description: 'Step-up for payroll.example.com', isAvailable: true };
  assert.deepEqual(list, [c1]);
  assert.deepEqual(await listImportedAuthContexts(store.kv, 'entra'), [c1]);
  assert.deepEqual(await listImportedAuthContexts(store.kv, 'other-idp'), []);
  assert.match(printed, /Imported 1 authentication context for identity provider entra/);
  assert.match(printed, /c1 +available +Payroll/);
  assert.equal(emulator.requestCount('GET /v1.0/identity/conditionalAccess/authenticationContextClassReferences'), 1);
});

test('a failed Graph read keeps the previous import', async () => {
  const before = [{ id: 'c2', displayName: 'Old', description: '', isAvailable: false }];
  await importAuthContexts(store.kv, 'entra', before);
  emulator.faults.add({ path: '/v1.0/identity/**', status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
  await assert.rejects(runAuthContextsImport(entraConfig(emulator), SECRET, store, { write: () => {} }), { name: 'GraphError', status: 403, code: 'Authorization_RequestDenied' });
  assert.deepEqual(await listImportedAuthContexts(store.kv, 'entra'), before);
});

test('an unreadable saved value lists as nothing rather than throwing', async () => {
  await store.kv.set(AUTH_CONTEXTS_NS, 'broken', '{"contexts": "nope"}');
  assert.deepEqual(await listImportedAuthContexts(store.kv, 'broken'), []);
});
