// The Entra groups-overage cost: a user in more groups than fit in the token signs in through the
// real browser flow (Moatless auth host → Entra emulator → callback), and the emulator's request
// counter says how many Microsoft Graph round trips each sign-in cost and whether any request
// afterwards cost more. Boots its own stack with the scenario harness (in-process: no load here).
import { startStack, type Stack } from '../../test/harness/stack.ts';
import type { TestBrowser } from '../../test/harness/http-client.ts';

export interface OverageResult {
  user: string;
  signIns: number;
  /** Graph requests per sign-in (each sign-in makes a new session), or null when sign-in failed. */
  graphPerSignIn: number[] | null;
  graphDuringRequests: number;
  requestsAfterSignIn: number;
  error: string | null;
}

// Every Microsoft Graph call made for a user (the emulator serves Graph under /v1.0), leaving out
// the group-change poller's /groups/delta rounds, which run on their own timer, not per sign-in.
const graphCalls = (stack: Stack): number => stack.emulator.requestCount('/v1.0/**') - stack.emulator.requestCount('/v1.0/groups/delta');

/** Drives one full sign-in for `user`; returns the final status of the app request. */
async function signIn(stack: Stack, browser: TestBrowser, user: string, password: string): Promise<number> {
  const toLogin = await browser.follow(`${stack.wikiUrl}/`);
  if (toLogin.status !== 200) throw new Error(`expected the emulator's sign-in page, got ${toLogin.status}`);
  const action = /<form[^>]*action="([^"]*\/login[^"]*)"/.exec(toLogin.body)?.[1]?.replaceAll('&amp;', '&');
  if (!action) throw new Error('no /login form on the emulator page');
  const post = new URL(action, toLogin.url);
  const r = await browser.get(post.href, { method: 'POST', body: new URLSearchParams({ username: user, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const loc = r.headers.location;
  if (typeof loc !== 'string') throw new Error(`login form answered ${r.status} without a redirect`);
  const end = await browser.follow(new URL(loc, post).href);
  if (end.status !== 200) throw new Error(`sign-in ended with ${end.status}: ${end.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 240)}`);
  return end.status;
}

export async function measureOverage(user = 'carol@contoso.com', password = 'carol', signIns = 3, requests = 50): Promise<OverageResult> {
  const stack = await startStack();
  try {
    const perSignIn: number[] = [];
    let during = 0;
    for (let i = 0; i < signIns; i++) {
      const browser = stack.browser(); // a fresh browser: a new sign-in and a new session each time
      const before = graphCalls(stack);
      await signIn(stack, browser, user, password);
      const afterSignIn = graphCalls(stack);
      perSignIn.push(afterSignIn - before);
      for (let j = 0; j < requests; j++) {
        const r = await browser.get(`${stack.wikiUrl}/page/${j}`);
        if (r.status !== 200) throw new Error(`request ${j} after sign-in answered ${r.status}`);
      }
      during += graphCalls(stack) - afterSignIn;
    }
    return { user, signIns, graphPerSignIn: perSignIn, graphDuringRequests: during, requestsAfterSignIn: signIns * requests, error: null };
  } catch (err) {
    return { user, signIns, graphPerSignIn: null, graphDuringRequests: 0, requestsAfterSignIn: 0, error: (err as Error).message };
  } finally {
    await stack.close();
  }
}
