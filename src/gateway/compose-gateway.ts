// Builds the gateway for `moatless serve` from what the composition root already has (config,
// store, sessions, Access listeners). Returns null when the config has no `gateway:` section.
import type { Logger } from 'pino';
import type { DirectoryFactsSource } from '../access/context.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { GatewayLogStore, Store } from '../store/ports.ts';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { caEncryptionKey, loadOrCreateCa } from './ca-store.ts';
import { spkiHash } from './certificates.ts';
import type { Dialer } from './dialer.ts';
import { TlsInspector } from './tls-inspection.ts';
import type { Resolver } from './egress.ts';
import { startGateway, type RunningGateway } from './index.ts';

export type { RunningGateway };

export interface GatewayOptions {
  resolver?: Resolver;
  dialer?: Dialer;
}

export async function startGatewayFor(d: {
  config(): ResolvedConfig; store: Store; sessions: SessionService; logger: Logger; now(): number;
  listeners: readonly { address: string }[]; directoryFacts?: DirectoryFactsSource; logStore?: GatewayLogStore;
} & GatewayOptions): Promise<RunningGateway | null> {
  const cfg = d.config();
  const gw = cfg.gateway;
  if (!gw) return null;
  let inspector: TlsInspector | undefined;
  let spki: string | null = null;
  if (gw.inspect) {
    // The key file sits next to the SQLite database (the data directory), else next to the config.
    const dataDir = cfg.storage.kind === 'sqlite' ? dirname(resolve(cfg.baseDir, cfg.storage.path)) : cfg.baseDir;
    const ca = await loadOrCreateCa(d.store.kv, caEncryptionKey(cfg.secrets.gatewayCaKey, join(dataDir, 'gateway-ca.key')), d.now());
    spki = spkiHash(ca.cert);
    inspector = new TlsInspector({
      ca, now: d.now, handshakeMs: gw.timeouts.handshake, maxHeaderBytes: gw.maxHeaderBytes,
      extraCa: gw.extraCaFile ? [readFileSync(resolve(cfg.baseDir, gw.extraCaFile), 'utf8')] : [],
    });
  }
  const accessListeners = d.listeners.map((l) => {
    const i = l.address.lastIndexOf(':');
    return { host: l.address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(l.address.slice(i + 1)) };
  });
  const running = await startGateway({ ...d, accessListeners, ...(inspector ? { inspector, caCertificate: () => inspector.caPem } : {}) });
  return { ...running, caSpkiHash: spki, async close() { await running.close(); inspector?.close(); } };
}
