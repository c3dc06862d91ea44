// `domain`: the target hostname or any subdomain of a listed domain.
import type { GatewaySelector } from './selector.ts';

export const domain: GatewaySelector<'domain'> = {
  kind: 'domain',
  code: 'gateway.domain',
  stage: 'connect',
  compare: 'domain',
  lists: 'host',
  presented: (f) => f.request.host || undefined,
};
