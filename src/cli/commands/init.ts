// `moatless init`: write a commented starter moatless.yaml from a few flags. The text is checked
// with the real config schema before it is written, so `config check` accepts what init writes.
// Must not: overwrite an existing file without --force, or write a secret into the file.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatIssues } from '../../config/issues.ts';
import { loadConfigText } from '../../config/load.ts';
import { flag, UsageError, type ParsedArgs } from '../args.ts';
import { SECRET_ENV, starterConfig, type StarterOptions } from '../starter-config.ts';

export async function init(args: ParsedArgs): Promise<number> {
  const tenantId = flag(args, 'tenant-id');
  const clientId = flag(args, 'client-id');
  if (!tenantId || !clientId) {
    throw new UsageError('--tenant-id and --client-id are required (the Entra app registration, docs/entra.md)');
  }
  const opts: StarterOptions = {
    tenantId, clientId,
    cloud: flag(args, 'cloud') ?? 'global',
    authUrl: flag(args, 'auth-url') ?? 'http://auth.localhost:8080',
    appHost: flag(args, 'app-host') ?? 'app.localhost',
    upstream: flag(args, 'upstream') ?? 'http://127.0.0.1:3000',
  };
  const out = resolve(flag(args, 'out') ?? 'moatless.yaml');
  if (existsSync(out) && !args.flags.has('force')) {
    process.stderr.write(`moatless init: ${out} exists; not overwriting it (--force to replace it)\n`);
    return 1;
  }
  let text: string;
  try {
    text = starterConfig(opts);
  } catch {
    throw new UsageError(`--auth-url is not a URL: ${opts.authUrl}`);
  }
  // The secret's variable is set for this check only: what is checked is the file, not this shell.
  const checked = loadConfigText(text, { env: { [SECRET_ENV]: 'set-at-run-time' }, sourcePath: out });
  if (!checked.ok) {
    process.stderr.write(`moatless init: these flags make an invalid config:\n${formatIssues(checked.issues)}\n`);
    return 2;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text, { mode: 0o640 });
  process.stdout.write(`wrote ${out}\n\nNext:\n`
    + `  export ${SECRET_ENV}=…            # the Entra app's client secret\n`
    + `  moatless config check --config ${out}\n`
    + `  moatless serve --config ${out}\n`);
  return 0;
}
