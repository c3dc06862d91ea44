// `serviceToken`: the request authenticated with this named service token (verified by the proxy
// before evaluation; the engine only sees the name). Checked on every request.
import type { Criterion } from './criterion.ts';
import { knownNames, matchOne } from './criterion.ts';

export const serviceToken: Criterion<'serviceToken', ReadonlySet<string>> = {
  kind: 'serviceToken',
  identity: false,
  compile: (value, path, env) => knownNames(value, env.serviceTokens, 'service token', path, env),
  match: (set, facts, all) => matchOne(set, facts.serviceToken?.name, all),
  detail: (_s, facts) => (facts.serviceToken ? `service token ${facts.serviceToken.name}` : 'no service token'),
  values: (set) => [...set],
};
