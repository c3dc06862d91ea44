// The `gateway:` section: the secure web gateway's listener (explicit forward proxy), its HTTP
// rules (the language is src/policy/gateway-language.ts), what unmatched and unidentified traffic
// gets, and TLS inspection's CA settings. Schema only; the rules are compiled once per load by
// src/config/validate-gateway.ts.
import { z } from 'zod';
import { durationMs, listenAddress, secretRef } from './common.ts';
import { gatewayRuleSchema, hostListSchema } from '../../policy/gateway-language.ts';
import { parseCidr } from '../../policy/cidr.ts';

/** YAML writes 407 as a number; both spellings mean "ask for Proxy-Authorization". */
const unidentified = z.union([z.literal(407).transform(() => '407' as const), z.enum(['407', 'block', 'anonymous'])]);

export const gatewaySchema = z.strictObject({
  /** The forward proxy's listener (plain HTTP: clients speak absolute-form HTTP and CONNECT to it). */
  listener: z.strictObject({ address: listenAddress }),
  /** host:port devices use to reach the proxy (PAC file, devices page); default: the listener address. */
  publicAddress: listenAddress.optional(),
  /** What traffic no rule matched gets. Cloudflare Gateway allows by default. */
  defaultAction: z.enum(['allow', 'block']).default('allow'),
  /** Traffic without a valid proxy credential: 407 (ask for one), block, or evaluate the rules as anonymous. */
  unidentified: unidentified.default('407'),
  /**
   * Trusted networks where a user is known by their address: signing in on the auth host from an
   * address inside `networks` binds it to that sign-in for `duration`; proxy traffic from it without
   * a credential is then that user's. Dies with the sign-in, deprovisioning, or a later sign-in.
   */
  sourceIpBinding: z.strictObject({
    networks: z.array(z.string().refine((n) => !('error' in parseCidr(n)), 'expected a CIDR such as 10.20.0.0/16')).min(1),
    duration: durationMs.default(8 * 3_600_000),
  }).optional(),
  /**
   * How long a resolved name's addresses are reused (src/gateway/dns-cache.ts); 0 asks the resolver
   * on every request. The egress check still runs on the address dialled.
   */
  dnsCacheTtl: durationMs.default(30_000),
  hostLists: z.array(hostListSchema).default([]),
  rules: z.array(gatewayRuleSchema).default([]),
  /** Decrypt CONNECT tunnels with Moatless's own CA so HTTP rules see URL, method and headers. */
  inspect: z.boolean().default(true),
  /**
   * Encrypts the CA's private key at rest in the store. Absent: a key file `gateway-ca.key` is
   * generated next to the SQLite database (or the config file) on first start.
   */
  caKeySecret: secretRef.optional(),
  /** Extra PEM CA certificates trusted for upstream TLS, besides the system store (tests, private PKI). */
  extraCaFile: z.string().min(1).optional(),
  timeouts: z.strictObject({
    /** A client must finish its request headers within this; and a TLS handshake inside a tunnel. */
    handshake: durationMs.default(10_000),
    upstreamConnect: durationMs.default(5_000),
    /** A tunnel or keep-alive connection with no traffic for this long is closed. */
    idle: durationMs.default(120_000),
  }).prefault({}),
  maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(16_384),
}).optional();

export type GatewayConfig = NonNullable<z.infer<typeof gatewaySchema>>;
