// Minimal flag parsing for `moatless …` commands: --name value, --name=value, --flag.
export interface ParsedArgs {
  positional: string[];
  /** The last value of each flag. */
  flags: Map<string, string | true>;
  /** Every value of each flag, in order (for repeatable flags such as --redirect-uri). */
  repeated: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const repeated = new Map<string, string[]>();
  const set = (name: string, value: string | true) => {
    flags.set(name, value);
    if (value !== true) repeated.set(name, [...(repeated.get(name) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq !== -1) set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) set(a.slice(2), argv[++i]!);
    else set(a.slice(2), true);
  }
  return { positional, flags, repeated };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
