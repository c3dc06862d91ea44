// The Gateway selector registry: one entry per selector key of the language, checked by type.
import type { GatewaySelectorKind } from '../gateway-language.ts';
import type { GatewaySelector } from './selector.ts';
import { host } from './host.ts';
import { domain } from './domain.ts';
import { url } from './url.ts';
import { path } from './path.ts';
import { query } from './query.ts';
import { method } from './method.ts';
import { userEmail } from './user-email.ts';
import { userGroupNames } from './user-group-names.ts';
import { riskLevel } from './risk-level.ts';
import { sourceIp } from './source-ip.ts';
import { destinationIp } from './destination-ip.ts';

export type { GatewaySelector, Comparison } from './selector.ts';

export const gatewaySelectors: { readonly [K in GatewaySelectorKind]: GatewaySelector<K> } = {
  host, domain, url, path, query, method, userEmail, userGroupNames, riskLevel, sourceIp, destinationIp,
};
