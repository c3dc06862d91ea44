// What the access request path needs from the rest of the process, handed in by the composition root.
import type { GatewayLogEntry } from '../store/ports.ts';
import type { Logger } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProbeHandler } from '../admin/health.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { DirectoryFacts } from '../policy/types.ts';
import type { Store } from '../store/ports.ts';
import type { AccessLog } from './access-log.ts';
import type { ConnectionRegistry } from './connections.ts';
import type { AccessRuntime } from './runtime.ts';
import type { SigningKeys } from './signing-keys.ts';
import type { UpstreamPools } from './upstream.ts';

/**
 * Live directory state for a user (SCIM): active flag, groups, risk. Undefined when not provisioned.
 * A cached answer may come without a promise (the proxy's hot path); callers `await` either.
 */
export type DirectoryFactsSource = (email: string) => DirectoryFacts | undefined | Promise<DirectoryFacts | undefined>;

/** A handler mounted on the auth host under a path prefix (SCIM, later the admin API). */
export interface AuthHostMount {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void>;
  /**
   * For a request with `Expect: 100-continue` (RFC 9110 §10.1.1), before its body is sent: answer
   * now and return true to refuse the body (e.g. 413), or return false to let it come. Optional.
   */
  refuseBeforeBody?(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * An HTTP/1.1 Upgrade (WebSocket) under the prefix — the isolation viewer, tunnel connectors;
   * without it such requests get 400. Optional.
   */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Called on shutdown, before the store closes (flush buffers). */
  close?(): Promise<void>;
  /**
   * The rest of the path after the prefix is an opaque value, not a path (`/browser/https://x/`):
   * it is exempt from the empty-segment check. Only for mounts that never proxy the path onward.
   */
  opaquePath?: boolean;
}

export interface AccessContext {
  runtime(): AccessRuntime;
  store: Store;
  sessions: SessionService;
  keys: SigningKeys;
  upstreams: UpstreamPools;
  accessLog: AccessLog;
  connections: ConnectionRegistry;
  logger: Logger;
  now(): number;
  directoryFacts?: DirectoryFactsSource;
  mounts: AuthHostMount[];
  /** The gateway log, when this process runs the Gateway: its rules' answers on Access apps go there too. */
  gatewayLog?: () => { record(e: GatewayLogEntry): void } | null;
  /** /healthz and /readyz on every host, before routing (src/admin/health.ts); true when answered. */
  probes?: ProbeHandler;
}
