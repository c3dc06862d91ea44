// Compiles the shared, top-level pieces every app's policies refer to: IP lists (parsed once) and
// rule groups (compiled once, in dependency order, shared by reference). Rejects duplicate names and
// cycles between rule groups, reporting every problem with its path. Pure.
import type { IpListInput, RuleGroupInput, SelectorKind } from './language.ts';
import type { CompileEnv } from './criteria/index.ts';
import { compileRanges } from './criteria/ip-range.ts';
import { compileRuleSet } from './compile-rules.ts';
import type { IpRange } from './cidr.ts';
import type { CompiledRuleGroup, ConfigIssue } from './types.ts';

export interface LibraryInput {
  ruleGroups?: readonly RuleGroupInput[] | undefined;
  ipLists?: readonly IpListInput[] | undefined;
}

/** What the rest of the config tells the compiler: names defined elsewhere, and what feeds facts. */
export interface KnownNames {
  serviceTokens?: Iterable<string>;
  loginMethods?: Iterable<string>;
  /** Rule groups that exist but failed the schema: references to them are not reported as unknown. */
  brokenRuleGroups?: Iterable<string>;
  /** IP lists that exist but failed the schema: they match nothing, references are not reported. */
  brokenIpLists?: Iterable<string>;
  /** Rule groups serve every app, so this is what the whole config can feed (CompileEnv.missingSource). */
  missingSource?: CompileEnv['missingSource'];
}

export interface CompiledLibrary {
  readonly ruleGroups: ReadonlyMap<string, CompiledRuleGroup>;
  readonly ipLists: ReadonlyMap<string, readonly IpRange[]>;
  readonly serviceTokens: ReadonlySet<string>;
  readonly loginMethods: ReadonlySet<string>;
  /** Groups that exist but failed to compile; references to them fail quietly (already reported). */
  readonly invalidRuleGroups: ReadonlySet<string>;
}

export type CompileResult<T> =
  | { ok: true; value: T; warnings: ConfigIssue[] }
  /** `partial`: what did compile, so later stages can still report their own problems. Never enforce it. */
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[]; partial?: T };

export function issueSink() {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  return {
    errors,
    warnings,
    error: (path: string, message: string) => void errors.push({ path, message }),
    warn: (path: string, message: string) => void warnings.push({ path, message }),
  };
}

function referencedGroups(group: RuleGroupInput): string[] {
  const out: string[] = [];
  for (const rule of [...group.include, ...(group.require ?? []), ...(group.exclude ?? [])]) {
    if ('ruleGroup' in rule && rule.ruleGroup !== undefined) out.push(...(Array.isArray(rule.ruleGroup) ? rule.ruleGroup : [rule.ruleGroup]));
  }
  return out;
}

/** For each group on a cycle, the cycle as names (`a → b → a`). */
function findCycles(edges: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const cycles = new Map<string, string[]>();
  for (const start of edges.keys()) {
    // Depth-first search for a path back to `start`; groups are few, so O(n·e) is fine.
    const seen = new Set<string>();
    const walk = (node: string, trail: string[]): string[] | undefined => {
      for (const next of edges.get(node) ?? []) {
        if (next === start) return [...trail, next];
        if (seen.has(next) || !edges.has(next)) continue;
        seen.add(next);
        const found = walk(next, [...trail, next]);
        if (found) return found;
      }
      return undefined;
    };
    const cycle = walk(start, [start]);
    if (cycle) cycles.set(start, cycle);
  }
  return cycles;
}

export function compileLibrary(input: LibraryInput, names: KnownNames = {}, paths = { ruleGroups: 'ruleGroups', ipLists: 'ipLists' }): CompileResult<CompiledLibrary> {
  const sink = issueSink();
  const ipLists = new Map<string, readonly IpRange[]>();
  (input.ipLists ?? []).forEach((list, i) => {
    const at = `${paths.ipLists}[${i}]`;
    if (ipLists.has(list.name)) sink.error(`${at}.name`, `duplicate IP list name "${list.name}"`);
    const ranges = compileRanges(list.ranges, (j) => `${at}.ranges[${j}]`, sink.error);
    ipLists.set(list.name, ranges ?? []);
  });
  for (const name of names.brokenIpLists ?? []) if (!ipLists.has(name)) ipLists.set(name, []);

  const inputs = input.ruleGroups ?? [];
  const byName = new Map<string, { group: RuleGroupInput; index: number }>();
  inputs.forEach((group, index) => {
    if (byName.has(group.name)) sink.error(`${paths.ruleGroups}[${index}].name`, `duplicate rule group name "${group.name}"`);
    else byName.set(group.name, { group, index });
  });
  const edges = new Map([...byName].map(([name, { group }]) => [name, referencedGroups(group)]));
  const cycles = findCycles(edges);
  for (const [name, cycle] of cycles) {
    sink.error(`${paths.ruleGroups}[${byName.get(name)!.index}]`, `rule group "${name}" refers to itself: ${cycle.join(' → ')}`);
  }

  // null marks a group that is known but unusable (on a cycle, or failed): references stay quiet.
  const compiled = new Map<string, CompiledRuleGroup | null>();
  for (const name of names.brokenRuleGroups ?? []) if (!byName.has(name)) compiled.set(name, null);
  const env: CompileEnv = {
    ruleGroups: compiled,
    ipLists,
    serviceTokens: new Set(names.serviceTokens ?? []),
    loginMethods: new Set(names.loginMethods ?? []),
    ...(names.missingSource ? { missingSource: names.missingSource } : {}),
    error: sink.error,
    warn: sink.warn,
  };
  const build = (name: string): void => {
    if (compiled.has(name)) return;
    const entry = byName.get(name)!;
    if (cycles.has(name)) {
      compiled.set(name, null);
      return;
    }
    // Dependencies first, so the ruleGroup criterion finds them already compiled.
    for (const dep of edges.get(name) ?? []) if (byName.has(dep)) build(dep);
    const before = sink.errors.length;
    const kinds = new Set<SelectorKind>();
    const rules = compileRuleSet(entry.group, `${paths.ruleGroups}[${entry.index}]`, env, kinds);
    compiled.set(name, sink.errors.length === before ? { name, rules, kinds } : null);
  };
  for (const name of byName.keys()) build(name);

  const ruleGroups = new Map<string, CompiledRuleGroup>();
  const invalidRuleGroups = new Set<string>();
  for (const [name, g] of compiled) {
    if (g) ruleGroups.set(name, g);
    else invalidRuleGroups.add(name);
  }
  const value = { ruleGroups, ipLists, serviceTokens: env.serviceTokens, loginMethods: env.loginMethods, invalidRuleGroups };
  // The partial library still lets each app's policies be checked, so one run reports everything.
  if (sink.errors.length > 0) return { ok: false, errors: sink.errors, warnings: sink.warnings, partial: value };
  return { ok: true, value, warnings: sink.warnings };
}
