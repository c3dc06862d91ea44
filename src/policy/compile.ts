// Compiles one app's policies into the canonical `CompiledPolicySet`: every rule resolved against
// the shared library, each policy's phase looked up in the dialect's table, per-action selector
// restrictions enforced, and known misconfigurations returned as warnings. Pure; reports every
// problem at once with its config path (e.g. `apps[2].policies[0].include[1].group`).
import type { Rule } from './language.ts';
import type { SelectorKind } from './language.ts';
import { parseDuration, formatDuration } from '../config/duration.ts';
import type { CompileEnv } from './criteria/index.ts';
import { toList } from './criteria/criterion.ts';
import { compileRuleSet } from './compile-rules.ts';
import { compileLibrary, issueSink, type CompiledLibrary, type CompileResult } from './compile-library.ts';
import { accessDialect } from './dialect.ts';
import type { AccessAction, ActionRestriction, CompiledPolicy, CompiledPolicySet, CompiledRuleGroup, PolicyDialect } from './types.ts';

/** The policy shape the compiler reads; `PolicyInput` from the config schema is the Access instance. */
export interface PolicyLike<A extends string = AccessAction> {
  name: string;
  action: A;
  sessionDuration?: string | undefined;
  include: readonly Rule[];
  require?: readonly Rule[] | undefined;
  exclude?: readonly Rule[] | undefined;
}

export interface CompileContext<A extends string = AccessAction> {
  /** Path of the policy list, e.g. `apps[2].policies`. */
  basePath?: string;
  /** From `compileLibrary` (its `partial` on failure); empty when omitted. */
  library?: CompiledLibrary;
  /** Defaults to Cloudflare Access semantics. */
  dialect?: PolicyDialect<A>;
  /** What this app's config can feed (CompileEnv.missingSource); omitted, every source counts. */
  missingSource?: CompileEnv['missingSource'];
}

/** Checks the raw rules (so a rule that failed to compile is still checked) and rule groups' contents. */
function checkRestriction(p: PolicyLike<string>, at: string, restriction: ActionRestriction, groups: ReadonlyMap<string, CompiledRuleGroup | null>, error: (path: string, message: string) => void): void {
  for (const section of ['include', 'require', 'exclude'] as const) {
    (p[section] ?? []).forEach((rule, j) => {
      for (const key of Object.keys(rule) as SelectorKind[]) {
        const path = `${at}.${section}[${j}].${key}`;
        if (!restriction.allowed.has(key)) {
          error(path, restriction.why);
          continue;
        }
        if (!('ruleGroup' in rule) || rule.ruleGroup === undefined) continue;
        for (const name of toList(rule.ruleGroup)) {
          const bad = [...(groups.get(name)?.kinds ?? [])].filter((k) => !restriction.allowed.has(k));
          if (bad.length > 0) error(path, `rule group "${name}" uses ${bad.join(', ')}: ${restriction.why}`);
        }
      }
    });
  }
}

function emptyLibrary(): CompiledLibrary {
  const r = compileLibrary({});
  if (!r.ok) throw new Error('unreachable: an empty library cannot fail');
  return r.value;
}

export function compilePolicies<A extends string = AccessAction>(input: readonly PolicyLike<A>[], context: CompileContext<A> = {}): CompileResult<CompiledPolicySet<A>> {
  const dialect = (context.dialect ?? accessDialect) as PolicyDialect<A>;
  const base = context.basePath ?? 'policies';
  const library = context.library ?? emptyLibrary();
  const sink = issueSink();
  const ruleGroups = new Map<string, CompiledRuleGroup | null>(library.ruleGroups);
  for (const name of library.invalidRuleGroups) ruleGroups.set(name, null);
  const env: CompileEnv = {
    ...library, ruleGroups, error: sink.error, warn: sink.warn,
    ...(context.missingSource ? { missingSource: context.missingSource } : {}),
  };

  const names = new Set<string>();
  const policies: CompiledPolicy<A>[] = [];
  input.forEach((p, index) => {
    const at = `${base}[${index}]`;
    if (names.has(p.name)) sink.error(`${at}.name`, `duplicate policy name "${p.name}"`);
    names.add(p.name);
    const phase = dialect.phases.findIndex((ph) => ph.includes(p.action));
    if (phase === -1) sink.error(`${at}.action`, `unknown action "${p.action}"; expected one of ${dialect.actions.join(', ')}`);

    let sessionDurationMs: number | undefined;
    if (p.sessionDuration !== undefined) {
      const ms = parseDuration(p.sessionDuration);
      if (ms === null) sink.error(`${at}.sessionDuration`, `malformed duration "${p.sessionDuration}" (use e.g. 30s, 15m, 8h, 7d)`);
      else sessionDurationMs = ms;
      if (!dialect.sessionActions.includes(p.action)) sink.warn(`${at}.sessionDuration`, `has no effect on ${p.action} policies`);
    }

    const kinds = new Set<SelectorKind>();
    const rules = compileRuleSet(p, at, env, kinds);
    const restriction = dialect.restrictions[p.action];
    if (restriction) checkRestriction(p, at, restriction, ruleGroups, sink.error);
    const unconditional = (p.require ?? []).length === 0 && (p.exclude ?? []).length === 0;
    if (dialect.grantingActions.includes(p.action) && unconditional && p.include.some((r) => 'everyone' in r)) {
      sink.warn(`${at}.include`, `${p.action} policy includes everyone with no require or exclude: it lets anyone with any login in`);
    }
    if (sessionDurationMs !== undefined && sessionDurationMs > 30 * 86_400_000) {
      sink.warn(`${at}.sessionDuration`, `${formatDuration(sessionDurationMs)} is longer than a month; identity facts stay frozen that long`);
    }
    policies.push({
      name: p.name,
      index,
      action: p.action,
      phase,
      ...(sessionDurationMs !== undefined ? { sessionDurationMs } : {}),
      rules,
      ref: Object.freeze({ name: p.name, index }),
      usesAuthContext: kinds.has('authContext'),
    });
  });

  const byPhase = dialect.phases.map((_, ph) => policies.filter((p) => p.phase === ph));
  const value = { dialect, policies, byPhase };
  // `partial` is for tooling (traces of a broken config); broken rules are missing from it, so
  // it must never serve requests.
  if (sink.errors.length > 0) return { ok: false, errors: sink.errors, warnings: sink.warnings, partial: value };
  return { ok: true, value, warnings: sink.warnings };
}
