// The policy language: the shape of selectors, rules, Access policies, rule groups and IP lists
// (zod v4, unknown keys are errors). The config schema imports it for `apps[].policies`,
// `ruleGroups` and `ipLists`. Owns structure only: whether a CIDR parses, a name resolves or rule
// groups form a cycle is the policy compiler's job (src/policy/compile.ts), so every such problem is
// reported with its path.
import { z } from 'zod';

const name = z.string().trim().min(1);
/** One value or a non-empty list. In include/exclude a list means any; in require it means all. */
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

export const riskLevels = ['none', 'low', 'medium', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

export const claimMatchSchema = z.strictObject({
  name: name,
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type ClaimMatch = z.infer<typeof claimMatchSchema>;

/** Every selector a rule may use; a rule carries exactly one of them. */
const selectorShape = {
  everyone: z.literal(true),
  email: oneOrMany(name),
  emailDomain: oneOrMany(name),
  group: oneOrMany(name),
  directoryGroup: oneOrMany(name),
  claim: oneOrMany(claimMatchSchema),
  loginMethod: oneOrMany(name),
  authMethod: oneOrMany(name),
  authContext: oneOrMany(name),
  ipRange: oneOrMany(name),
  ipList: oneOrMany(name),
  country: oneOrMany(name),
  serviceToken: oneOrMany(name),
  anyServiceToken: z.literal(true),
  ruleGroup: oneOrMany(name),
  riskLevel: oneOrMany(z.enum(riskLevels)),
};

type Shape = typeof selectorShape;
export type SelectorKind = keyof Shape;
export const selectorKinds = Object.keys(selectorShape) as SelectorKind[];

/** `{ email: [...] }`, `{ ipRange: "10.0.0.0/8" }`, …: exactly one key. */
export type Rule = { [K in SelectorKind]: { [P in K]: z.infer<Shape[K]> } }[SelectorKind];
/** The value type one selector takes, e.g. `RuleValue<'claim'>`. */
export type RuleValue<K extends SelectorKind> = z.infer<Shape[K]>;

export const ruleSchema = z
  .strictObject(
    Object.fromEntries(selectorKinds.map((k) => [k, selectorShape[k].optional()])) as {
      [K in SelectorKind]: z.ZodOptional<Shape[K]>;
    },
  )
  .check((ctx) => {
    const keys = Object.keys(ctx.value).filter((k) => ctx.value[k as SelectorKind] !== undefined);
    if (keys.length !== 1) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message:
          keys.length === 0
            ? `a rule needs exactly one selector (${selectorKinds.join(', ')})`
            : `a rule takes exactly one selector, found ${keys.join(', ')}; use separate rules`,
      });
    }
  })
  .transform((r) => r as Rule);

const rules = z.array(ruleSchema);

export const ruleGroupSchema = z.strictObject({
  name: name,
  // Cloudflare: every policy (and Access group) needs at least one Include rule.
  include: rules.min(1),
  require: rules.optional(),
  exclude: rules.optional(),
});
export type RuleGroupInput = z.infer<typeof ruleGroupSchema>;

export const ipListSchema = z.strictObject({
  name: name,
  ranges: z.array(name).min(1),
});
export type IpListInput = z.infer<typeof ipListSchema>;

export const accessActions = ['allow', 'block', 'bypass', 'service_auth'] as const;
export type AccessAction = (typeof accessActions)[number];

export const policySchema = z.strictObject({
  name: name,
  action: z.enum(accessActions),
  /** "30s", "15m", "8h", "7d"; checked by the compiler so the message carries the full path. */
  sessionDuration: z.string().optional(),
  include: rules.min(1),
  require: rules.optional(),
  exclude: rules.optional(),
});
export type PolicyInput = z.infer<typeof policySchema>;
