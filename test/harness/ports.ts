// Free loopback ports for tests that must know a port before the server starts (the auth URL).
//
// A port taken with listen(0) comes from the kernel's ephemeral range, and so does the source port
// of every outgoing connection any test process opens: between freePort() closing its probe and the
// child binding the port, a connection elsewhere in the suite could take it ("port 45723 is already
// in use", relay.test in CI). So ports come from below the ephemeral range, where the kernel never
// hands out a port by itself, and each is claimed with an exclusive file so that two test processes
// running in parallel never get the same one.
import { createServer } from 'node:net';
import { mkdirSync, openSync, closeSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOWEST = 20_000;
/** Claims older than this are from an earlier run; anything still using such a port has its bind check. */
const STALE_MS = 60 * 60_000;
const CLAIMS = join(tmpdir(), 'moatless-test-ports');

export async function freePort(): Promise<number> {
  const held = await reservePort();
  await held.release();
  return held.port;
}

/**
 * A loopback port held open until `release()`: claimed (no other test process gets it), outside
 * the ephemeral range (no port-0 listener or outgoing connection gets it) and bound (nothing that
 * already listens there).
 */
export async function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  const below = ephemeralLow();
  if (below - LOWEST < 1000) return listenOn(0);
  mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (!claim(port)) continue;
    try {
      return await listenOn(port);
    } catch {
      // Something outside the suite listens there: the claim stays, so no one tries it again.
    }
  }
  throw new Error(`no free loopback port claimable in ${LOWEST}-${below - 1} (claims in ${CLAIMS})`);
}

function claim(port: number): boolean {
  const file = join(CLAIMS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    // Taken. A claim from an earlier run is removed so a later pick can have the port.
    try {
      if (Date.now() - statSync(file).mtimeMs > STALE_MS) unlinkSync(file);
    } catch { /* another process removed it first */ }
    return false;
  }
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function listenOn(port: number): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const addr = s.address();
      const bound = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({ port: bound, release: () => new Promise<void>((done) => s.close(() => done())) });
    });
  });
}
