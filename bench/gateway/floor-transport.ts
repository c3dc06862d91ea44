// The parts both Gateway floors (floor-gateway.ts, lean-floor-gateway.ts) share, made from their
// environment (FLOOR_CA_OUT, FLOOR_EXTRA_CA): a CA of their own (written out for the load
// generator), Moatless's TLS inspector and its upstream pool. Benchmark support only.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRootCa } from '../../src/gateway/certificates.ts';
import { tcpDialer } from '../../src/gateway/dialer.ts';
import { TlsInspector } from '../../src/gateway/tls-inspection.ts';
import { UpstreamPool } from '../../src/gateway/upstream-pool.ts';

export async function floorTransport(name: string): Promise<{ inspector: TlsInspector; pool: UpstreamPool }> {
  const ca = await createRootCa(`CN=${name} CA`, Date.now());
  writeFileSync(process.env.FLOOR_CA_OUT!, ca.cert.toString('pem'));
  const inspector = new TlsInspector({
    ca, now: Date.now, handshakeMs: 10_000, maxHeaderBytes: 16_384, extraCa: [readFileSync(process.env.FLOOR_EXTRA_CA!, 'utf8')],
  });
  const pool = new UpstreamPool({
    dial: (ip, p) => tcpDialer(ip, p, 5_000),
    secure: (socket, servername, verify) => inspector.connectUpstream(socket, servername, verify),
    idleMs: 60_000,
  });
  return { inspector, pool };
}
