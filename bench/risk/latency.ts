// Risky sign-in → next request: a running Moatless (directory output, risk.interval below) with a
// `riskLevel: high` exclusion; the emulator raises a signed-in user's risk at a random moment of the
// poll cycle, and a client polling every 50 ms times how long until it is refused. Repeated, then
// the risk is dismissed again between trials.
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { sessionFor, startStack } from '../../test/harness/stack.ts';

const INTERVAL_MS = 5000;
const TRIALS = 4;

export interface SignInLatency { intervalMs: number; samples: number[]; median: number; max: number }

export async function measureSignInToRefusal(log: (s: string) => void): Promise<SignInLatency> {
  const s = await startStack({
    compose: directoryWiring(),
    apps: (wiki) => [{ id: 'wiki', hosts: ['wiki.localtest.me'], upstream: wiki, policies: [{ name: 'not-risky', action: 'allow', include: [{ emailDomain: 'contoso.com' }], exclude: [{ riskLevel: 'high' }] }] }],
    extra: { risk: { identityProvider: 'entra', outputs: ['directory'], interval: `${INTERVAL_MS}ms`, fullReconcile: '1h' } },
  });
  try {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
    const status = async () => (await b.get(`${s.wikiUrl}/`)).status;
    const until = async (want: number, maxMs: number) => {
      const t0 = performance.now();
      while ((await status()) !== want) {
        if (performance.now() - t0 > maxMs) throw new Error(`no ${want} within ${maxMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return performance.now() - t0;
    };
    await until(200, 3 * INTERVAL_MS);
    const samples: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * INTERVAL_MS));
      s.emulator.risky.set('alice@contoso.com', { level: 'high' });
      samples.push(await until(403, 3 * INTERVAL_MS));
      log(`  risky sign-in → refused after ${samples.at(-1)!.toFixed(0)} ms`);
      s.emulator.risky.set('alice@contoso.com', { level: 'none', state: 'dismissed' });
      await until(200, 3 * INTERVAL_MS);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return { intervalMs: INTERVAL_MS, samples, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
  } finally {
    await s.close();
  }
}
