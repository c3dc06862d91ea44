// The selector registry: one entry per rule key of the config schema, checked exhaustively by type.
import type { SelectorKind } from '../language.ts';
import type { Criterion } from './criterion.ts';
import { everyone } from './everyone.ts';
import { email } from './email.ts';
import { emailDomain } from './email-domain.ts';
import { group } from './group.ts';
import { directoryGroup } from './directory-group.ts';
import { claim } from './claim.ts';
import { loginMethod } from './login-method.ts';
import { authMethod } from './auth-method.ts';
import { authContext } from './auth-context.ts';
import { ipRange } from './ip-range.ts';
import { ipList } from './ip-list.ts';
import { country } from './country.ts';
import { serviceToken } from './service-token.ts';
import { anyServiceToken } from './any-service-token.ts';
import { ruleGroup } from './rule-group.ts';
import { riskLevel } from './risk-level.ts';

export type { Criterion, CompileEnv, FactSource } from './criterion.ts';

export const criteria: { readonly [K in SelectorKind]: Criterion<K, unknown> } = {
  everyone, email, emailDomain, group, directoryGroup, claim, loginMethod, authMethod, authContext,
  ipRange, ipList, country, serviceToken, anyServiceToken, ruleGroup, riskLevel,
};
