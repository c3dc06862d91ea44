// Compiles every app's policies with the shared rule groups and IP lists — once per load: the running
// proxy serves exactly these compiled sets, so `moatless config check`, `serve` and a reload reject
// the same mistakes. Also decides which fact sources the config feeds (a selector without one is
// refused: it would compile and never match).
import type { MoatlessConfig } from './schema/root.ts';
import type { ConfigIssue } from './issues.ts';
import type { BrokenNames } from './parse.ts';
import { compileLibrary } from '../policy/compile-library.ts';
import { compilePolicies } from '../policy/compile.ts';
import type { FactSource } from '../policy/criteria/criterion.ts';
import type { CompiledPolicySet } from '../policy/types.ts';

export interface CompiledApps {
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
  /** One set per app, in config order (partial ones, or holes, when there are issues). */
  sets: CompiledPolicySet[];
}

type Parts = Partial<Pick<MoatlessConfig,
  'apps' | 'identityProviders' | 'ruleGroups' | 'ipLists' | 'serviceTokens' | 'server' | 'risk'>>;
type App = MoatlessConfig['apps'][number];

/**
 * What each fact source needs, phrased to follow "<selector> needs ", or undefined when the config
 * feeds it. With `app`, the Entra sign-in must be one this app offers. A section that failed to parse
 * (`server` absent) counts as feeding its source: its own errors are reported already.
 */
export function missingSources(cfg: Parts, broken: BrokenNames, app?: App) {
  const offered = (id: string) => !app || app.identityProviders.length === 0 || app.identityProviders.includes(id);
  const idps = (cfg.identityProviders ?? []).filter((p) => offered(p.id));
  return (source: FactSource): string | undefined => {
    switch (source) {
      case 'riskSync':
        if (cfg.risk?.outputs.includes('directory')) return undefined;
        return cfg.risk
          ? 'the risk sync\'s directory output, and risk.outputs has only entraGroups, so nothing sets a risk level '
            + 'in Moatless; add directory to risk.outputs, or match the Entra groups with directoryGroup'
          : 'the risk sync (a risk: section), which is not configured, so nothing sets a risk level; '
            + 'configure one (docs/risk.md) or match the IdentityProtection-RiskyUser-RiskLevel-* groups with directoryGroup';
      case 'countryHeader':
        if (!cfg.server || cfg.server.trustedProxies.length > 0) return undefined;
        return `a trusted proxy that sets the ${cfg.server.countryHeader} header, and server.trustedProxies is empty, `
          + 'so the country is never known; list the proxy or CDN there';
      case 'entraSignIn':
        if (idps.some((p) => p.type === 'entra') || broken.identityProviders.length > 0) return undefined;
        return `an Entra ID sign-in (the acrs claim), and ${app ? 'this app offers no' : 'there is no'} `
          + 'identity provider with type: entra';
      case 'serviceTokens':
        if ((cfg.serviceTokens ?? []).some(() => true) || broken.serviceTokens.length > 0) return undefined;
        return 'a service token to present, and the serviceTokens section is empty';
    }
  };
}

export function compileAppPolicies(cfg: Parts, broken: BrokenNames = emptyBroken()): CompiledApps {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const present = <T>(list: readonly T[] | undefined): T[] => (list ?? []).filter(() => true);
  const lib = compileLibrary(
    { ruleGroups: cfg.ruleGroups ?? [], ipLists: cfg.ipLists ?? [] },
    {
      serviceTokens: [...present(cfg.serviceTokens).map((t) => t.name), ...broken.serviceTokens],
      loginMethods: [...present(cfg.identityProviders).map((p) => p.id), ...broken.identityProviders],
      brokenRuleGroups: broken.ruleGroups,
      brokenIpLists: broken.ipLists,
      missingSource: missingSources(cfg, broken),
    },
  );
  warnings.push(...lib.warnings);
  if (!lib.ok) issues.push(...lib.errors);
  const library = lib.ok ? lib.value : lib.partial;
  const sets: CompiledPolicySet[] = [];
  (cfg.apps ?? []).forEach((app, i) => {
    const r = compilePolicies(app.policies, {
      basePath: `apps[${i}].policies`, missingSource: missingSources(cfg, broken, app), ...(library ? { library } : {}),
    });
    warnings.push(...r.warnings);
    if (r.ok) sets[i] = r.value;
    else {
      issues.push(...r.errors);
      if (r.partial) sets[i] = r.partial;
    }
  });
  return { issues, warnings, sets };
}

function emptyBroken(): BrokenNames {
  return { identityProviders: [], apps: [], ruleGroups: [], ipLists: [], serviceTokens: [] };
}
