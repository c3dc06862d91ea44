// Admin API: the secure web gateway as configured — its HTTP rules in evaluation order (read-only:
// `moatless.yaml` is their source of truth) and the TLS-inspection CA certificate devices install.
// Owns: these views. Must not: ever return the CA's private key (the store keeps it sealed; only
// the certificate is read here).
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { storedCaCertificate } from '../../gateway/ca-store.ts';
import { type ApiDeps, iso, isoTime } from './common.ts';
import { notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const ruleSchema = z.object({
  name: z.string(), action: z.string(),
  when: z.unknown().meta({ description: 'The rule\'s condition, as written in moatless.yaml (docs/gateway.md).' }),
  block: z.unknown().optional(), isolation: z.unknown().optional(), source: z.literal('config'),
}).meta({ id: 'GatewayRule' });

export function gatewayRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/gateway/rules', operationId: 'listGatewayRules', tag: 'gateway', access: 'read',
      summary: 'The gateway\'s HTTP rules in evaluation order, with its defaults and host lists (from moatless.yaml, read-only)',
      response: z.object({
        configured: z.boolean().meta({ description: 'false: the config has no gateway: section (then every list is empty).' }),
        defaultAction: z.enum(['allow', 'block']).nullable(), unidentified: z.string().nullable(), inspect: z.boolean(),
        hostLists: z.array(z.object({ name: z.string(), hosts: z.array(z.string()) })),
        items: z.array(ruleSchema),
      }).meta({ id: 'GatewayRules' }),
      async handle() {
        const gw = deps.runtime().config.gateway;
        if (!gw) return { configured: false, defaultAction: null, unidentified: null, inspect: false, hostLists: [], items: [] };
        return {
          configured: true, defaultAction: gw.defaultAction, unidentified: gw.unidentified, inspect: gw.inspect,
          hostLists: gw.hostLists.map((l) => ({ name: l.name, hosts: l.hosts })),
          items: gw.rules.map((r) => ({ ...r, source: 'config' as const })),
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/gateway/ca', operationId: 'getGatewayCa', tag: 'gateway', access: 'read',
      summary: 'The TLS-inspection CA certificate (PEM) devices must trust; 404 before the gateway first started with inspection',
      response: z.object({
        pem: z.string().meta({ description: 'Save as moatless-gateway-ca.pem and install it as a trusted root.' }),
        subject: z.string(), fingerprintSha256: z.string(), notBefore: isoTime, notAfter: isoTime,
      }).meta({ id: 'GatewayCa' }),
      async handle() {
        const pem = await storedCaCertificate(deps.store.kv);
        if (!pem) throw notFound('a gateway CA (start the gateway with inspect: true once)');
        const cert = new X509Certificate(pem);
        return { pem, subject: cert.subject, fingerprintSha256: cert.fingerprint256, notBefore: iso(Date.parse(cert.validFrom)), notAfter: iso(Date.parse(cert.validTo)) };
      },
    }),
  ];
}
