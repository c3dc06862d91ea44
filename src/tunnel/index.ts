// The tunnel capability's public face: the edge side for `moatless serve`, tokens for the CLI.
// The connector (./connector/) is a process of its own and is imported by its command only.
export { TunnelHub, STALE_AFTER_MS } from './edge/hub.ts';
export { tunnelMount, TUNNEL_PREFIX } from './edge/mount.ts';
export { TunnelRelay } from './edge/relay.ts';
export { RelayVerifier } from './edge/relay-auth.ts';
export { createTunnelToken, revokeTunnelToken, revokeTunnelTokens, verifyTunnelToken, TUNNEL_NAME } from './tokens.ts';
export { tunnelReport, type TunnelReport } from './status.ts';
