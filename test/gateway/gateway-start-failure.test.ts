// A gateway listener that cannot bind (its port is in use) fails `moatless serve` at start, and
// everything start had opened by then — the auth listener, the request-log thread, the store — is
// released, so the port is free again and nothing keeps running behind the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startMoatless } from '../../src/cli/compose.ts';
import { loadConfigObject } from '../../src/config/load.ts';
import { freePort } from '../harness/ports.ts';

const listen = (port: number) => new Promise<Server>((resolve, reject) => {
  const srv = createServer().once('error', reject).listen(port, '127.0.0.1', () => resolve(srv));
});
const stop = (srv: Server) => new Promise<void>((r) => srv.close(() => r()));

test('a gateway port in use fails the start and releases the auth listener it had opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-gw-busy-'));
  const busy = await listen(0);
  const authPort = await freePort();
  try {
    const loaded = loadConfigObject({
      server: { listeners: [{ address: `127.0.0.1:${authPort}` }], authUrl: `http://auth.localtest.me:${authPort}`, shutdownGrace: '1s' },
      storage: { kind: 'sqlite', path: join(dir, 'db.sqlite') },
      gateway: { listener: { address: `127.0.0.1:${(busy.address() as { port: number }).port}` } },
    }, { env: {} });
    assert.ok(loaded.ok);
    await assert.rejects(startMoatless(loaded.config, { logger: pino({ level: 'silent' }), pollGraph: false }), /EADDRINUSE/);
    await stop(await listen(authPort)); // the auth port is free again
  } finally {
    await stop(busy);
    rmSync(dir, { recursive: true, force: true });
  }
});
