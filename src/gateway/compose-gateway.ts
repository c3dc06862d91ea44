// Builds the gateway for `moatless serve` from what the composition root already has (config,
// store, sessions, Access listeners). Returns null when the config has no `gateway:` section.
import type { Logger } from 'pino';
import type { DirectoryFactsSource } from '../access/context.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { Store } from '../store/ports.ts';
import type { Dialer } from './dialer.ts';
import type { Resolver } from './egress.ts';
import { startGateway, type RunningGateway } from './index.ts';

export type { RunningGateway };

export interface GatewayOptions {
  resolver?: Resolver;
  dialer?: Dialer;
}

export async function startGatewayFor(d: {
  config(): ResolvedConfig; store: Store; sessions: SessionService; logger: Logger; now(): number;
  listeners: readonly { address: string }[]; directoryFacts?: DirectoryFactsSource;
} & GatewayOptions): Promise<RunningGateway | null> {
  if (!d.config().gateway) return null;
  const accessListeners = d.listeners.map((l) => {
    const i = l.address.lastIndexOf(':');
    return { host: l.address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(l.address.slice(i + 1)) };
  });
  return startGateway({ ...d, accessListeners });
}
