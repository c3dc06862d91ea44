// A stack whose extra apps point at one raw origin (test/fakes/raw-origin.ts), for attack tests that
// judge by exactly what the origin received.
import { startRawOrigin, type RawOrigin } from '../fakes/raw-origin.ts';
import { defaultApps, startStack, type Stack } from './stack.ts';

export interface RawStack {
  s: Stack;
  origin: RawOrigin;
  close(): Promise<void>;
}

/** `apps` gets the raw origin's URL; the two default apps stay, so the usual hosts still route. */
export async function startRawStack(apps: (originUrl: string) => unknown[]): Promise<RawStack> {
  const origin = await startRawOrigin();
  const s = await startStack({ apps: (wiki, payroll) => [...defaultApps(wiki, payroll), ...apps(origin.url)] });
  return {
    s, origin,
    async close() {
      await s.close();
      await origin.close();
    },
  };
}
