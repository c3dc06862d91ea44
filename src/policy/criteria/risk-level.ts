// `riskLevel`: the user's live Entra ID Protection risk level from the directory facts. An unknown
// level (no directory record, or not yet synced) matches nothing, not even `none`.
import type { Criterion } from './criterion.ts';
import { matchOne, toList } from './criterion.ts';

export const riskLevel: Criterion<'riskLevel', ReadonlySet<string>> = {
  kind: 'riskLevel',
  identity: false,
  source: 'riskSync',
  compile: (value) => new Set(toList(value)),
  match: (set, facts, all) => matchOne(set, facts.directory?.riskLevel, all),
  detail: (_s, facts) => (facts.directory ? `risk ${facts.directory.riskLevel ?? 'unknown'}` : 'user not in directory'),
  values: (set) => [...set],
};
