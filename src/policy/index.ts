// The policy engine's public face: compile config to a canonical set, evaluate facts to a decision,
// explain a decision for humans. Pure: callers gather facts (session, directory, GeoIP, clock) first.
export {
  ruleSchema, policySchema, ruleGroupSchema, ipListSchema, selectorKinds, riskLevels, accessActions,
  type Rule, type RuleValue, type ClaimMatch, type PolicyInput, type RuleGroupInput, type IpListInput,
} from './language.ts';
export { compilePolicies, type PolicyLike, type CompileContext } from './compile.ts';
export { compileLibrary, type LibraryInput, type KnownNames, type CompiledLibrary, type CompileResult } from './compile-library.ts';
export { evaluate } from './evaluate.ts';
export { explain, formatExplanation, type Explanation, type PolicyTrace, type RuleTrace } from './explain.ts';
export { accessDialect, accessPhases, defineDialect, identitySelectors } from './dialect.ts';
export { reasons, selectorCodes, type ReasonCode } from './reasons.ts';
export { criteria } from './criteria/index.ts';
export { parseCidr, parseIp, inRange, type IpAddress, type IpRange } from './cidr.ts';
export type * from './types.ts';
