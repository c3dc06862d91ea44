// `path`: the URL path, case-sensitive.
import type { GatewaySelector } from './selector.ts';

export const path: GatewaySelector<'path'> = {
  kind: 'path',
  code: 'gateway.path',
  stage: 'http',
  compare: 'text',
  presented: (f) => f.request.path,
};
