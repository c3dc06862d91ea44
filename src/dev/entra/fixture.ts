// Loads and validates the emulator's YAML fixture (tenant, clients, users, groups, authentication
// contexts, simulated Conditional Access). Owns the schema and the cross-reference checks; reports
// every problem at once with its path. Must not touch the network or hold runtime state.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EmulatorError } from './errors.ts';
import { RISK_LEVELS, RISK_STATES } from './risky-users.ts';

const guid = z.guid('must be a GUID');

const clientSchema = z.strictObject({
  clientId: guid,
  clientSecret: z.string().min(8, 'must be at least 8 characters').optional(),
  // Uploaded app certificates (PEM): the client authenticates with a signed client assertion.
  certificates: z.array(z.string().min(1)).default([]),
  displayName: z.string().min(1).optional(),
  redirectUris: z.array(z.url()).default([]),
  // Entra app manifest `groupMembershipClaims` (null/"None" = no groups claim).
  groupMembershipClaims: z.enum(['None', 'SecurityGroup', 'All']).default('SecurityGroup'),
  graphRoles: z.array(z.string().min(1)).default([]),
});

const userSchema = z.strictObject({
  id: guid,
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like user@domain'),
  mail: z.string().regex(/^[^@\s]+@[^@\s]+$/).optional(),
  displayName: z.string().min(1),
  givenName: z.string().optional(),
  surname: z.string().optional(),
  password: z.string().min(1),
  mfa: z.boolean().default(false),
  compliantDevice: z.boolean().default(false),
  accountEnabled: z.boolean().default(true),
  /** Entra ID Protection's rating of the user at start (riskyUsers); absent = never rated. */
  risk: z.strictObject({
    level: z.enum(RISK_LEVELS),
    state: z.enum(RISK_STATES).optional(),
  }).optional(),
});

const groupSchema = z.strictObject({
  id: guid,
  displayName: z.string().min(1),
  description: z.string().optional(),
  securityEnabled: z.boolean().default(true),
  mailEnabled: z.boolean().default(false),
  members: z.array(z.string().min(1)).default([]),
});

const contextSchema = z.strictObject({
  // Entra allows c1…c99 as authentication-context ids.
  id: z.string().regex(/^c[1-9][0-9]?$/, 'must be c1…c99'),
  displayName: z.string().min(1),
  description: z.string().default(''),
  isAvailable: z.boolean().default(true),
});

const policySchema = z.strictObject({
  name: z.string().min(1),
  authContext: z.string().min(1),
  requireMfa: z.boolean().default(false),
  requireCompliantDevice: z.boolean().default(false),
});

export const fixtureSchema = z.strictObject({
  tenantId: guid,
  tenantName: z.string().min(1),
  overageThreshold: z.number().int().positive().default(200),
  clients: z.array(clientSchema).min(1, 'at least one client is required'),
  users: z.array(userSchema).default([]),
  groups: z.array(groupSchema).default([]),
  authenticationContexts: z.array(contextSchema).default([]),
  conditionalAccessPolicies: z.array(policySchema).default([]),
});

export type Fixture = z.infer<typeof fixtureSchema>;
export type FixtureInput = z.input<typeof fixtureSchema>;
export type FixtureClient = Fixture['clients'][number];
export type FixtureUser = Fixture['users'][number];
export type FixtureGroup = Fixture['groups'][number];
export type AuthenticationContext = Fixture['authenticationContexts'][number];
export type ConditionalAccessPolicy = Fixture['conditionalAccessPolicies'][number];

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(root)';
}

/** Uniqueness and reference checks the schema cannot express; returns one line per problem. */
function crossReferenceProblems(f: Fixture): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const claim = (key: string, where: string) => {
    const lower = key.toLowerCase();
    const first = seen.get(lower);
    if (first) problems.push(`${where}: duplicate "${key}" (first used at ${first})`);
    else seen.set(lower, where);
  };
  f.users.forEach((u, i) => {
    claim(u.id, `users[${i}].id`);
    claim(u.userPrincipalName, `users[${i}].userPrincipalName`);
  });
  f.groups.forEach((g, i) => claim(g.id, `groups[${i}].id`));
  f.clients.forEach((c, i) => {
    claim(c.clientId, `clients[${i}].clientId`);
    // oidc-provider registers one token-endpoint auth method per client, so a client is either kind.
    if (c.clientSecret === undefined && c.certificates.length === 0) problems.push(`clients[${i}]: set clientSecret or certificates`);
    if (c.clientSecret !== undefined && c.certificates.length > 0) problems.push(`clients[${i}]: set clientSecret or certificates, not both (the emulator registers one auth method per client; use two clients)`);
    c.certificates.forEach((pem, j) => {
      try {
        new X509Certificate(pem);
      } catch {
        problems.push(`clients[${i}].certificates[${j}]: not a PEM X.509 certificate`);
      }
    });
  });

  const userKeys = new Set(f.users.flatMap((u) => [u.id.toLowerCase(), u.userPrincipalName.toLowerCase()]));
  const groupKeys = new Set(f.groups.flatMap((g) => [g.id.toLowerCase(), g.displayName.toLowerCase()]));
  const names = new Map<string, number>();
  f.groups.forEach((g) => names.set(g.displayName.toLowerCase(), (names.get(g.displayName.toLowerCase()) ?? 0) + 1));
  f.groups.forEach((g, i) =>
    g.members.forEach((m, j) => {
      const key = m.toLowerCase();
      if (!userKeys.has(key) && !groupKeys.has(key)) problems.push(`groups[${i}].members[${j}]: unknown member "${m}"`);
      else if ((names.get(key) ?? 0) > 1) problems.push(`groups[${i}].members[${j}]: group name "${m}" is ambiguous, use its id`);
      if (key === g.id.toLowerCase() || key === g.displayName.toLowerCase()) problems.push(`groups[${i}].members[${j}]: a group cannot contain itself`);
    }),
  );
  const contexts = new Set(f.authenticationContexts.map((c) => c.id));
  f.authenticationContexts.forEach((c, i) => claim(`context:${c.id}`, `authenticationContexts[${i}].id`));
  f.conditionalAccessPolicies.forEach((p, i) => {
    if (!contexts.has(p.authContext)) problems.push(`conditionalAccessPolicies[${i}].authContext: unknown authentication context "${p.authContext}"`);
  });
  return problems;
}

/** Validates an already-parsed fixture object. Throws EmulatorError('fixture_invalid') listing every problem. */
export function parseFixture(input: unknown, source = 'fixture'): Fixture {
  const result = fixtureSchema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new EmulatorError('fixture_invalid', `${source} is invalid`, details);
  }
  const problems = crossReferenceProblems(result.data);
  if (problems.length) throw new EmulatorError('fixture_invalid', `${source} is invalid`, problems);
  return result.data;
}

/** Reads, parses and validates a YAML fixture file. */
export async function loadFixture(path: string): Promise<Fixture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new EmulatorError('fixture_unreadable', `cannot read fixture ${path}`, [], { cause });
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new EmulatorError('fixture_invalid', `${path} is not valid YAML`, [message], { cause });
  }
  return parseFixture(data, path);
}
