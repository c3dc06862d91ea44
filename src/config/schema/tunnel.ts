// The tunnel section: how edge replicas relay requests for tunnels whose connectors hold
// connections to another replica. Owns: these keys only. Must not: resolve secrets (load.ts does).
import { z } from 'zod';
import { httpUrl, secretRef } from './common.ts';

export const tunnelSchema = z.strictObject({
  /**
   * Relaying between edge replicas (docs/tunnel.md, "Several edge replicas"). Without it a replica
   * serves only the tunnels whose connectors are connected to it.
   */
  relay: z.strictObject({
    /**
     * Where the other replicas reach this one (its own listener, on the private network), e.g.
     * `http://10.0.0.11:8080`. Stored with this replica's tunnel connections in the shared store.
     */
    url: httpUrl,
    /** Shared by every replica (at least 32 characters): signs each relay request between them. */
    secret: secretRef,
  }).optional(),
}).prefault({});
export type TunnelConfig = z.infer<typeof tunnelSchema>;
