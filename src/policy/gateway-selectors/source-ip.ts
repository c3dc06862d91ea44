// `sourceIp`: the client address the proxy saw.
import type { GatewaySelector } from './selector.ts';

export const sourceIp: GatewaySelector<'sourceIp'> = {
  kind: 'sourceIp',
  code: 'gateway.source_ip',
  stage: 'connect',
  compare: 'ip',
  lists: 'ip',
  presented: (f) => f.request.sourceIp || undefined,
};
