// `method`: the HTTP method.
import type { GatewaySelector } from './selector.ts';

export const method: GatewaySelector<'method'> = {
  kind: 'method',
  code: 'gateway.method',
  stage: 'http',
  compare: 'folded',
  presented: (f) => f.request.method,
};
