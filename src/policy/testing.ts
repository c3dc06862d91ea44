// Test helpers shared by the policy tests: fact builders and one-call compilation. Not exported
// from index.ts; production code must not import this file.
import type { PolicyInput, RuleGroupInput, IpListInput } from './language.ts';
import { compileLibrary, type KnownNames } from './compile-library.ts';
import { compilePolicies } from './compile.ts';
import type { Criterion, CompileEnv } from './criteria/index.ts';
import type { SelectorKind, RuleValue } from './language.ts';
import type { CompiledPolicySet, ConfigIssue, Facts, IdentityFacts } from './types.ts';

export function identity(over: Partial<IdentityFacts> = {}): IdentityFacts {
  return { userKey: 'u1', email: 'bob@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {}, ...over };
}

export function facts(over: Partial<Facts> & { identity?: IdentityFacts | undefined } = {}): Facts {
  return { now: 1_700_000_000_000, request: { ip: '203.0.113.7', country: 'US', host: 'app.example.com', path: '/', method: 'GET' }, identity: identity(), ...over };
}

export const names: KnownNames = { serviceTokens: ['ci-bot', 'deploy'], loginMethods: ['entra', 'github'] };

export function compileOk(policies: PolicyInput[], lib: { ruleGroups?: RuleGroupInput[]; ipLists?: IpListInput[] } = {}): CompiledPolicySet {
  const l = compileLibrary(lib, names);
  if (!l.ok) throw new Error(`library: ${JSON.stringify(l.errors)}`);
  const r = compilePolicies(policies, { basePath: 'apps[0].policies', library: l.value });
  if (!r.ok) throw new Error(`policies: ${JSON.stringify(r.errors)}`);
  return r.value;
}

/** Compiles one criterion value against a test env; `errors` and `warnings` collect what it reports. */
export function compileCriterion<K extends SelectorKind, C>(criterion: Criterion<K, C>, value: RuleValue<K>, env: Partial<CompileEnv> = {}) {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const compiled = criterion.compile(value, 'r', {
    ruleGroups: new Map(),
    ipLists: new Map(),
    serviceTokens: new Set(names.serviceTokens),
    loginMethods: new Set(names.loginMethods),
    error: (path, message) => void errors.push({ path, message }),
    warn: (path, message) => void warnings.push({ path, message }),
    ...env,
  });
  const match = (f: Facts, all = false) => {
    if (compiled === undefined) throw new Error(`did not compile: ${JSON.stringify(errors)}`);
    return criterion.match(compiled, f, all);
  };
  return { compiled, errors, warnings, match };
}
