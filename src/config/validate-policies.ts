// Compiles every app's policies with the shared rule groups and IP lists — the same compilation the
// running proxy uses, so `moatless config check` and a reload reject exactly the same mistakes.
import type { MoatlessConfig } from './schema/root.ts';
import type { ConfigIssue } from './issues.ts';
import { compileLibrary } from '../policy/compile-library.ts';
import { compilePolicies } from '../policy/compile.ts';
import type { CompiledPolicySet } from '../policy/types.ts';

export interface CompiledApps {
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
  /** One set per app, in config order (partial ones when there are issues). */
  sets: CompiledPolicySet[];
}

export function compileAppPolicies(cfg: MoatlessConfig): CompiledApps {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const lib = compileLibrary(
    { ruleGroups: cfg.ruleGroups, ipLists: cfg.ipLists },
    { serviceTokens: cfg.serviceTokens.map((t) => t.name), loginMethods: cfg.identityProviders.map((p) => p.id) },
  );
  warnings.push(...lib.warnings);
  if (!lib.ok) issues.push(...lib.errors);
  const library = lib.ok ? lib.value : lib.partial;
  const sets: CompiledPolicySet[] = [];
  cfg.apps.forEach((app, i) => {
    const r = compilePolicies(app.policies, { basePath: `apps[${i}].policies`, ...(library ? { library } : {}) });
    warnings.push(...r.warnings);
    if (r.ok) sets.push(r.value);
    else {
      issues.push(...r.errors);
      if (r.partial) sets.push(r.partial);
    }
  });
  return { issues, warnings, sets };
}
