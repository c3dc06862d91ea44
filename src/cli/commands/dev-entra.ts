// `moatless dev entra`: the Entra ID emulator, for demos and tests only.
import { runDevEntra } from '../../dev/entra/cli.ts';
import type { ParsedArgs } from '../args.ts';

export async function devEntra(args: ParsedArgs): Promise<number> {
  const argv: string[] = [];
  for (const [k, v] of args.flags) {
    if (v === true) argv.push(`--${k}`);
    else for (const value of args.repeated.get(k) ?? [v]) argv.push(`--${k}`, value);
  }
  const emulator = await runDevEntra(argv, (line: string) => process.stdout.write(`${line}\n`));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await emulator.close();
  return 0;
}
