import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, reservePort } from './ports.ts';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

test('freePort gives claimed ports below the ephemeral range, never the same one twice', async () => {
  const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
  assert.equal(new Set(ports).size, ports.length);
  for (const p of ports) {
    assert.ok(p < ephemeralLow, `${p} is below ${ephemeralLow}, where listen(0) and outgoing connections never land`);
    assert.ok(existsSync(join(tmpdir(), 'moatless-test-ports', String(p))), `${p} is claimed for other test processes`);
  }
});

test('reservePort holds its port until released', async () => {
  const held = await reservePort();
  const err = await new Promise<NodeJS.ErrnoException | null>((r) => {
    const s = createServer().once('error', r).listen(held.port, '127.0.0.1', () => s.close(() => r(null)));
  });
  assert.equal(err?.code, 'EADDRINUSE');
  await held.release();
});
