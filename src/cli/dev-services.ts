// Development helpers `moatless serve` starts when the config has a `dev` section (the demo): the
// Entra emulator, sample upstream apps, and the emulator's SCIM provisioning client pushing the
// tenant's users and groups into this server, as Entra's provisioning service would.
import { resolve } from 'node:path';
import type { Server } from 'node:http';
import { startEntraEmulator, type EntraEmulator } from '../dev/entra/index.ts';
import { createProvisioningClient, formatSummary } from '../dev/entra/provisioning/index.ts';
import { pinnedFetch } from '../dev/pinned-fetch.ts';
import { startSampleApp } from '../dev/sample-app.ts';
import { createScimToken } from '../directory/scim-tokens.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { Store } from '../store/ports.ts';

const DEMO_TOKEN_NAME = 'dev-emulator';

export interface DevServices {
  emulator: EntraEmulator | null;
  /** Starts provisioning once Moatless listens (the SCIM endpoint must be up). */
  afterStart(m: { store: Store; listeners: readonly { address: string }[] }): Promise<void>;
  stop(): Promise<void>;
}

export async function startDevServices(cfg: ResolvedConfig, out: (s: string) => void): Promise<DevServices> {
  const closers: Array<() => Promise<void>> = [];
  let emulator: EntraEmulator | null = null;
  if (cfg.dev?.entra) {
    out('!!! DEVELOPMENT MODE: starting the Entra ID emulator in this process. Never use this config in production. !!!');
    // The callback URL follows server.authUrl, so a demo moved to other ports still signs in.
    const callback = `${new URL(cfg.server.authUrl).origin}/oauth2/callback`;
    emulator = await startEntraEmulator({
      fixturePath: resolve(cfg.baseDir, cfg.dev.entra.fixture), host: cfg.dev.entra.host, port: cfg.dev.entra.port,
      extraRedirectUris: [callback],
    });
    out(`dev: Entra emulator at ${emulator.url} (tenant ${emulator.tenantId})`);
    const emu = emulator;
    closers.push(() => emu.close());
  }
  for (const app of cfg.dev?.sampleApps ?? []) {
    const server: Server = await startSampleApp(app.name, app.port);
    out(`dev: sample app "${app.name}" on http://127.0.0.1:${app.port}`);
    closers.push(() => new Promise((r) => server.close(() => r())));
  }
  return {
    emulator,
    async afterStart(m) {
      const p = cfg.dev?.entra?.provisioning;
      if (!emulator || !p) return;
      // A fresh token per start; the previous one is revoked so tokens do not pile up.
      for (const t of await m.store.directory.tokens.list()) {
        if (t.name === DEMO_TOKEN_NAME && t.revokedAt === null) await m.store.directory.tokens.revoke(t.id, Date.now());
      }
      const { token } = await createScimToken(m.store, { name: DEMO_TOKEN_NAME, directoryName: 'default', now: Date.now() });
      const listener = m.listeners[0]!;
      const client = createProvisioningClient({
        directory: emulator.directory, token, dialect: p.dialect === 'compliant' ? 'aadOptscim062020' : 'entra-legacy',
        scimBaseUrl: `${new URL(cfg.server.authUrl).origin}/scim/v2`,
        // The auth host is a *.localhost name, which getaddrinfo does not resolve without an
        // /etc/hosts entry (only browsers and curl map it to loopback): dial the listener directly.
        fetch: pinnedFetch(listener.address.slice(0, listener.address.lastIndexOf(':')).replace(/^\[|\]$/g, '')),
        onCycle: (s) => out(`dev: SCIM provisioning ${formatSummary(s)}`),
      });
      out(`dev: SCIM provisioning ${formatSummary(await client.runInitialCycle())}`);
      client.startInterval(p.interval);
      closers.unshift(async () => client.stop());
    },
    async stop() {
      for (const c of closers) await c();
    },
  };
}
