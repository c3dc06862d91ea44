// Cross-reference checks the schema alone cannot express: unique ids and hosts, references between
// sections, and the policy compiler's own checks. They run on whatever parsed (parse.ts), so a file
// with a schema error in one app still gets its other apps checked. Pure.
import type { MoatlessConfig } from './schema/root.ts';
import type { ConfigIssue } from './issues.ts';
import type { BrokenNames } from './parse.ts';
import { compileAppPolicies } from './validate-policies.ts';
import type { CompiledPolicySet } from '../policy/types.ts';
import { riskIssues } from './schema/risk.ts';
import { compileGatewayConfig } from './validate-gateway.ts';
import type { CompiledGatewaySet } from '../policy/gateway-types.ts';

const LOOPBACK = /^(127\.|\[::1\]|localhost:)/;

export interface ReferenceCheck {
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Every app's compiled policies, by app index: what the proxy serves once the config is valid. */
  policySets: CompiledPolicySet[];
  /** The compiled `gateway:` rules, or null without a gateway section. */
  gateway: CompiledGatewaySet | null;
}

export function validateReferences(cfg: Partial<MoatlessConfig>, broken?: BrokenNames): ReferenceCheck {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const authHost = cfg.server ? new URL(cfg.server.authUrl).hostname.toLowerCase() : undefined;
  const brokenIdps = new Set(broken?.identityProviders ?? []);
  const idpList = cfg.identityProviders ?? [];
  const apps = cfg.apps ?? [];

  const idpIds = new Set<string>();
  idpList.forEach((idp, i) => {
    if (idpIds.has(idp.id)) issues.push({ path: `identityProviders[${i}].id`, message: `duplicate identity provider id "${idp.id}"` });
    idpIds.add(idp.id);
    if (idp.type === 'entra' && (idp.authorityUrl || idp.graphUrl)) {
      warnings.push({ path: `identityProviders[${i}]`, message: 'authorityUrl/graphUrl override Microsoft\'s hosts: for the emulator and tests only' });
    }
  });

  const appIds = new Set<string>();
  const routes = new Map<string, string>();
  apps.forEach((app, i) => {
    if (appIds.has(app.id)) issues.push({ path: `apps[${i}].id`, message: `duplicate app id "${app.id}"` });
    appIds.add(app.id);
    app.hosts.forEach((h, j) => {
      const key = `${h.host}${h.pathPrefix}`;
      const other = routes.get(key);
      if (other !== undefined) issues.push({ path: `apps[${i}].hosts[${j}]`, message: `"${key}" is already routed to app "${other}"` });
      routes.set(key, app.id);
      if (h.host === authHost) issues.push({ path: `apps[${i}].hosts[${j}]`, message: `"${h.host}" is the auth host (server.authUrl); give the app its own hostname` });
    });
    app.identityProviders.forEach((ref, j) => {
      if (idpIds.has(ref) || brokenIdps.has(ref)) return;
      const known = [...idpIds].join(', ') || '(none)';
      issues.push({ path: `apps[${i}].identityProviders[${j}]`, message: `unknown identity provider "${ref}"; known: ${known}` });
    });
    if (app.policies.length === 0) warnings.push({ path: `apps[${i}].policies`, message: 'no policies: every request is denied (deny by default)' });
    if (app.mode === 'forwardAuth' && cfg.server?.forwardAuth.trustedCallers.length === 0) {
      warnings.push({ path: `apps[${i}].mode`, message: 'forwardAuth, but server.forwardAuth.trustedCallers is empty: every verify call is refused' });
    }
  });
  if (apps.some(() => true) && idpList.length === 0 && brokenIdps.size === 0 && cfg.identityProviders) {
    issues.push({ path: 'identityProviders', message: 'at least one identity provider is needed to sign users in' });
  }

  const tokenNames = new Set<string>();
  const clientIds = new Set<string>();
  (cfg.serviceTokens ?? []).forEach((t, i) => {
    if (tokenNames.has(t.name)) issues.push({ path: `serviceTokens[${i}].name`, message: `duplicate service token "${t.name}"` });
    if (clientIds.has(t.clientId)) issues.push({ path: `serviceTokens[${i}].clientId`, message: 'duplicate clientId' });
    tokenNames.add(t.name);
    clientIds.add(t.clientId);
  });

  cfg.server?.listeners.forEach((l, i) => {
    if (!l.tls && !LOOPBACK.test(l.address)) {
      warnings.push({ path: `server.listeners[${i}]`, message: `plain HTTP on ${l.address}: cookies and tokens cross the network unencrypted unless a TLS proxy sits in front` });
    }
  });
  if (cfg.dev) warnings.push({ path: 'dev', message: 'development features are on (emulator / sample apps): never use this config in production' });

  issues.push(...riskIssues({ risk: cfg.risk, identityProviders: cfg.identityProviders ?? [] }));
  const policies = compileAppPolicies(cfg, broken);
  issues.push(...policies.issues);
  warnings.push(...policies.warnings);
  const gateway = compileGatewayConfig(cfg);
  issues.push(...gateway.issues);
  warnings.push(...gateway.warnings);
  return { issues, warnings, policySets: policies.sets, gateway: gateway.set };
}
