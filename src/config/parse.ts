// Parses moatless.yaml section by section, and list sections entry by entry (an app's policies one
// by one), so one broken entry does not hide the rest: the cross-checks run on whatever parsed and
// every problem is reported in one run. Pure.
import type { z } from 'zod';
import { policySchema, ipListSchema, ruleGroupSchema } from '../policy/language.ts';
import { appSchema, serviceTokenSchema } from './schema/apps.ts';
import { identityProviderSchema } from './schema/identity.ts';
import { configSchema, type MoatlessConfig } from './schema/root.ts';
import type { ConfigIssue } from './issues.ts';
import { unknownKeyMessage, zodIssues } from './zod-issues.ts';

/** List sections whose entries are parsed one at a time, with the key that names an entry. */
const LISTS = {
  identityProviders: { schema: identityProviderSchema, name: 'id' },
  apps: { schema: appSchema, name: 'id' },
  ruleGroups: { schema: ruleGroupSchema, name: 'name' },
  ipLists: { schema: ipListSchema, name: 'name' },
  serviceTokens: { schema: serviceTokenSchema, name: 'name' },
} as const;
type ListKey = keyof typeof LISTS;

/** Names of list entries that failed the schema: they exist, so references to them are not "unknown". */
export type BrokenNames = Record<ListKey, string[]>;

export interface ParsedParts {
  /**
   * Sections that parsed. In list sections an entry that failed is a hole, so indices (and paths)
   * stay those of the file; iterate with forEach/filter, which skip holes.
   */
  config: Partial<MoatlessConfig>;
  broken: BrokenNames;
  issues: ConfigIssue[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function withoutKeys(value: unknown, path: readonly PropertyKey[], keys: readonly string[]): unknown {
  if (path.length === 0) {
    return isRecord(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k))) : value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? withoutKeys(v, rest, keys) : v));
  if (isRecord(value)) return { ...value, [String(head)]: withoutKeys(value[String(head)], rest, keys) };
  return value;
}

/**
 * Parses `value` and reports its issues at `base`. An entry whose only problem is an unknown key
 * (a typo such as `polices`) is parsed again without it, so the cross-checks still see the entry.
 */
function parseAt<S extends z.ZodType>(
  schema: S, value: unknown, base: readonly PropertyKey[], issues: ConfigIssue[],
): z.infer<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  issues.push(...zodIssues(r.error, schema, base));
  let stripped = value;
  for (const i of r.error.issues) {
    if (i.code !== 'unrecognized_keys') return undefined;
    stripped = withoutKeys(stripped, i.path, i.keys);
  }
  const again = schema.safeParse(stripped);
  return again.success ? again.data : undefined;
}

/** An app without its policies, then each policy on its own: one bad policy leaves the app checkable. */
function parseApp(raw: unknown, i: number, issues: ConfigIssue[]): z.infer<typeof appSchema> | undefined {
  if (!isRecord(raw) || !Array.isArray(raw['policies'])) return parseAt(appSchema, raw, ['apps', i], issues);
  const shell = parseAt(appSchema, { ...raw, policies: [] }, ['apps', i], issues);
  const rawPolicies = raw['policies'] as unknown[];
  // As long as the file's list, so a broken policy is a hole, not "no policies".
  const policies = new Array<z.infer<typeof policySchema>>(rawPolicies.length);
  rawPolicies.forEach((p, j) => {
    const policy = parseAt(policySchema, p, ['apps', i, 'policies', j], issues);
    if (policy) policies[j] = policy;
  });
  return shell ? { ...shell, policies } : undefined;
}

export function parseConfigParts(raw: unknown): ParsedParts {
  const broken: BrokenNames = { identityProviders: [], apps: [], ruleGroups: [], ipLists: [], serviceTokens: [] };
  const issues: ConfigIssue[] = [];
  const config: Record<string, unknown> = {};
  if (!isRecord(raw)) {
    issues.push({ path: '(root)', message: 'expected a mapping of sections (server, identityProviders, apps, …)' });
    return { config: {}, broken, issues };
  }
  const shape = configSchema.shape;
  const sections = Object.keys(shape);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(shape, key)) issues.push({ path: key, message: unknownKeyMessage(key, sections) });
  }
  for (const key of sections) {
    const value = raw[key];
    if (Object.hasOwn(LISTS, key) && Array.isArray(value)) {
      const list = LISTS[key as ListKey];
      const out: unknown[] = [];
      value.forEach((entry, i) => {
        const parsed = key === 'apps' ? parseApp(entry, i, issues) : parseAt(list.schema, entry, [key, i], issues);
        if (parsed !== undefined) out[i] = parsed;
        else if (isRecord(entry) && typeof entry[list.name] === 'string') {
          broken[key as ListKey].push(entry[list.name] as string);
        }
      });
      config[key] = out;
      continue;
    }
    const section = parseAt(shape[key as keyof typeof shape], value, [key], issues);
    if (section !== undefined) config[key] = section;
  }
  return { config: config as Partial<MoatlessConfig>, broken, issues };
}
