// `url`: the whole URL as requested, case-sensitive (Cloudflare's URL selector).
import type { GatewaySelector } from './selector.ts';

export const url: GatewaySelector<'url'> = {
  kind: 'url',
  code: 'gateway.url',
  stage: 'http',
  compare: 'text',
  presented: (f) => f.request.url,
};
