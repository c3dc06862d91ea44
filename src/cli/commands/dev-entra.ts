// `moatless dev entra`: the Entra ID emulator, for demos and tests only.
import { runDevEntra, setEmulatorRisk } from '../../dev/entra/cli.ts';
import { flag, UsageError, type ParsedArgs } from '../args.ts';

/** `moatless dev entra risk --user UPN --level none|low|medium|high [--url http://127.0.0.1:8081]`. */
async function devEntraRisk(args: ParsedArgs): Promise<number> {
  const user = flag(args, 'user');
  const level = flag(args, 'level');
  if (!user || !level) throw new UsageError('risk needs --user UPN and --level none|low|medium|high');
  const r = await setEmulatorRisk(flag(args, 'url') ?? 'http://127.0.0.1:8081', user, level);
  (r.ok ? process.stdout : process.stderr).write(`${r.text}\n`);
  return r.ok ? 0 : 1;
}

export async function devEntra(args: ParsedArgs): Promise<number> {
  if (args.positional[0] === 'risk') return devEntraRisk(args);
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
