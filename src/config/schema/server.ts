// Listeners, trusted proxies and the protective limits of the HTTP front door.
import { z } from 'zod';
import { durationMs, httpUrl, listenAddress } from './common.ts';

export const tlsSchema = z.strictObject({
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
});

export const supportSchema = z.strictObject({
  /** An email address; the page links to it with the request id in the subject. */
  contact: z.email({ error: 'expected an email address' }).optional(),
  /** A help-desk page. */
  url: z.url({ protocol: /^https$/, error: 'expected an https:// URL' }).optional(),
}).default({});
export type SupportConfig = z.infer<typeof supportSchema>;

export const listenerSchema = z.strictObject({
  address: listenAddress,
  /** Without tls the listener speaks plain HTTP: fine on loopback or behind a TLS load balancer, warned otherwise. */
  tls: tlsSchema.optional(),
});

export const serverSchema = z.strictObject({
  listeners: z.array(listenerSchema).min(1).default([{ address: '127.0.0.1:8080' }]),
  /** The auth host's public URL: sign-in, callback, SCIM and the admin API live there. */
  authUrl: httpUrl,
  /** Peers whose X-Forwarded-For / X-Forwarded-Proto / country header are believed. CIDRs or IPs. */
  trustedProxies: z.array(z.string()).default([]),
  forwardAuth: z.strictObject({
    /**
     * Proxies (IPs/CIDRs) that may call the forward-auth verify endpoint; their X-Forwarded-Host,
     * X-Forwarded-Uri, X-Original-URL name the request being checked. Also trusted as proxies.
     */
    trustedCallers: z.array(z.string()).default([]),
  }).prefault({}),
  /** Header carrying the client's country (ISO 3166-1 alpha-2), set by a trusted proxy or CDN. */
  countryHeader: z.string().toLowerCase().default('cf-ipcountry'),
  timeouts: z.strictObject({
    /** A client must finish sending headers within this (slowloris guard). */
    headers: durationMs.default(10_000),
    /** Whole request, body included; 0 disables (large uploads, long polls). */
    request: durationMs.default(0),
    idle: durationMs.default(65_000),
    upstreamConnect: durationMs.default(5_000),
    /** Time to first response byte from the upstream. */
    upstreamHeaders: durationMs.default(60_000),
    /** Longest silence inside a response body; 0 disables (streams). */
    upstreamBody: durationMs.default(0),
  }).prefault({}),
  limits: z.strictObject({
    maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(32_768),
    maxHeaderCount: z.number().int().min(16).max(1000).default(100),
  }).prefault({}),
  /**
   * Processes serving the listeners. 1 (the default) is one process. N > 1, or "auto" (one per
   * core, os.availableParallelism()), makes `moatless serve` a node:cluster primary that migrates
   * the store, forks N workers sharing the listeners (round-robin), restarts crashed ones and
   * relays revocations so every worker applies them before the revoking call returns.
   */
  workers: z.union([z.number().int().min(1).max(256), z.literal('auto')]).default(1),
  /** On SIGTERM, in-flight requests get this long to finish. */
  shutdownGrace: durationMs.default(30_000),
  /** Show policy reasons on deny pages (never in production: it tells attackers what to fake). */
  debugDenyReasons: z.boolean().default(false),
  /** Who a refused user should ask: shown as links on deny pages and the sign-in failed page. */
  support: supportSchema,
});
export type ServerConfig = z.infer<typeof serverSchema>;
