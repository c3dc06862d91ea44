// `moatless dev entra`: the Entra ID emulator, for demos and tests only.
import { runDevEntra } from '../../dev/entra/cli.ts';
import type { ParsedArgs } from '../args.ts';

export async function devEntra(args: ParsedArgs): Promise<number> {
  const argv: string[] = [];
  for (const [k, v] of args.flags) argv.push(`--${k}`, ...(v === true ? [] : [v]));
  await runDevEntra(argv, (line) => process.stdout.write(`${line}\n`));
  return await new Promise<number>((resolve) => {
    process.once('SIGINT', () => resolve(0));
    process.once('SIGTERM', () => resolve(0));
  });
}
