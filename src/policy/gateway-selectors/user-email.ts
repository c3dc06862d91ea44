// `userEmail`: the proxying user's email, frozen at sign-in.
import type { GatewaySelector } from './selector.ts';

export const userEmail: GatewaySelector<'userEmail'> = {
  kind: 'userEmail',
  code: 'gateway.user_email',
  stage: 'connect',
  compare: 'folded',
  presented: (f) => f.identity?.email,
};
