// `query`: the URL query without its leading ?, case-sensitive.
import type { GatewaySelector } from './selector.ts';

export const query: GatewaySelector<'query'> = {
  kind: 'query',
  code: 'gateway.query',
  stage: 'http',
  compare: 'text',
  presented: (f) => f.request.query,
};
