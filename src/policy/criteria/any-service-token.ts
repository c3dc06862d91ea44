// `anyServiceToken: true`: the request authenticated with any valid service token.
import type { Criterion } from './criterion.ts';

export const anyServiceToken: Criterion<'anyServiceToken', true> = {
  kind: 'anyServiceToken',
  identity: false,
  source: 'serviceTokens',
  compile: () => true,
  match: (_v, facts) => typeof facts.serviceToken?.name === 'string',
  detail: (_v, facts) => (facts.serviceToken ? `service token ${facts.serviceToken.name}` : 'no service token'),
  values: () => ['any'],
};
