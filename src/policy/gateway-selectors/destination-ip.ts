// `destinationIp`: the resolved address Moatless dials (never the name).
import type { GatewaySelector } from './selector.ts';

export const destinationIp: GatewaySelector<'destinationIp'> = {
  kind: 'destinationIp',
  code: 'gateway.destination_ip',
  stage: 'connect',
  compare: 'ip',
  lists: 'ip',
  presented: (f) => f.request.destinationIp,
};
