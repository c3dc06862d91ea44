// `riskLevel`: the user's live Entra ID Protection risk level from the directory facts (the risk
// sync). Unknown (no directory record, never synced) matches nothing, whatever the operator.
import { riskLevels } from '../language.ts';
import type { GatewaySelector } from './selector.ts';

export const riskLevel: GatewaySelector<'riskLevel'> = {
  kind: 'riskLevel',
  code: 'gateway.risk_level',
  stage: 'connect',
  compare: 'enum',
  values: riskLevels,
  presented: (f) => (f.identity ? f.directory?.riskLevel : undefined),
};
