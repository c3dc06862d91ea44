// `moatless …`: parses the command line and hands off to one command. No business logic here.
import { UsageError, parseArgs } from './args.ts';
import { COMMANDS, usage } from './commands.ts';

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [first, second] = args.positional;
  const key = first && second && COMMANDS[`${first} ${second}`] ? `${first} ${second}` : first ?? 'help';
  const command = COMMANDS[key];
  if (command && args.flags.has('help')) {
    process.stdout.write(`${command.summary}\n\n  ${command.usage}\n\nDocs: docs/cli.md\n`);
    return 0;
  }
  if (!command) {
    if (key !== 'help') process.stderr.write(`moatless: unknown command "${args.positional.join(' ')}"\n\n`);
    process.stdout.write(usage());
    return key === 'help' ? 0 : 2;
  }
  args.positional.splice(0, key.split(' ').length);
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`moatless ${key}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`moatless ${key}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
