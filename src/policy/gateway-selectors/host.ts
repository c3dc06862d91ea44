// `host`: the target hostname (CONNECT authority, SNI or Host), exactly.
import type { GatewaySelector } from './selector.ts';

export const host: GatewaySelector<'host'> = {
  kind: 'host',
  code: 'gateway.host',
  stage: 'connect',
  compare: 'folded',
  lists: 'host',
  presented: (f) => f.request.host || undefined,
};
