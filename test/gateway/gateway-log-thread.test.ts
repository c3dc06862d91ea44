// The gateway log as production runs it on SQLite: every proxied request is one `type: "gateway"`
// line on the logger's destination and one row appended from the request-log thread (its own
// SQLite connection), not through the main store's connection; the row reads back from the main
// store once the gateway's buffer is flushed, and the last rows are kept when the process stops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { openStore } from '../../src/store/open-store.ts';
import { startGatewayStack, type GatewayStack } from './harness.ts';

let s: GatewayStack;
let app1: string;
const lines: Record<string, unknown>[] = [];
let mainAppends = 0;

before(async () => {
  const dest = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  s = await startGatewayStack({
    gateway: { rules: [{ name: 'Local test upstream', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } }] },
    logger: pino({ level: 'info' }, dest),
    // Counts gateway-log appends through the main store's connection: none while the thread runs.
    wrapStore: (store) => {
      const log = store.gateway.log;
      const append = log.append.bind(log);
      log.append = (entries) => { mainAppends += entries.length; return append(entries); };
      return store;
    },
  });
  app1 = `http://app1.example.com:${s.upstream.port}`;
});
after(() => s.close());

test('a proxied request is one gateway line and one row written by the log thread', async () => {
  const cred = await s.createCredential(await s.signIn('alice@contoso.com', ['Staff']));
  const r = await s.proxy('GET', `${app1}/thread?x=1`, { 'proxy-authorization': cred.auth });
  assert.equal(r.status, 200, r.body);
  const row = await s.waitForLogRow((e) => e.url === `${app1}/thread?x=1`, 'the proxied request');
  assert.equal(row.email, 'alice@contoso.com');
  assert.equal(row.action, 'allow');
  assert.equal(row.status, 200);
  assert.equal(mainAppends, 0, 'appended on the thread, not on the main connection');
  const line = lines.filter((l) => l['type'] === 'gateway' && l['url'] === `${app1}/thread?x=1`);
  assert.equal(line.length, 1, 'one line per request');
  assert.equal(line[0]!['requestId'], row.requestId, 'the line and the row are the same request');
});

test('rows still in the gateway buffer when the process stops are written before the thread closes', async () => {
  const cred = await s.createCredential(await s.signIn('bob@contoso.com', ['Staff']));
  for (let i = 0; i < 3; i++) assert.equal((await s.proxy('GET', `${app1}/last-${i}`, { 'proxy-authorization': cred.auth })).status, 200);
  const storage = s.moatless.config().storage;
  assert.equal(storage.kind, 'sqlite');
  await s.stop();
  const store = await openStore({ kind: 'sqlite', path: storage.path });
  try {
    const urls = (await store.gateway.log.query({ limit: 20 })).map((e) => e.url);
    for (let i = 0; i < 3; i++) assert.ok(urls.includes(`${app1}/last-${i}`), `last-${i} kept: ${urls.join(', ')}`);
  } finally {
    await store.close();
  }
});
