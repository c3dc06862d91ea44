// `everyone: true` matches any request. In an Allow policy it lets in anyone who can sign in with
// any configured login method, which the compiler warns about (Cloudflare's documented misconfiguration).
import type { Criterion } from './criterion.ts';

export const everyone: Criterion<'everyone', true> = {
  kind: 'everyone',
  identity: false,
  compile: () => true,
  match: () => true,
  detail: () => 'everyone',
  values: () => ['everyone'],
};
