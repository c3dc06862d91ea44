// The command table: name → usage and runner. Each runner is a small composition root of its own.
import { sessionsList } from './commands/sessions-list.ts';
import { appsList } from './commands/apps-list.ts';
import type { ParsedArgs } from './args.ts';
import { configCheck } from './commands/config-check.ts';
import { init } from './commands/init.ts';
import { serve, demo } from './commands/serve.ts';
import { sessionsRevoke } from './commands/sessions-revoke.ts';
import { policyTest } from './commands/policy-test.ts';
import { devEntra } from './commands/dev-entra.ts';
import { entraAuthContextsImport } from './commands/entra-auth-contexts.ts';
import { scimDirectorySet, scimTokenCreate, scimTokenList, scimTokenRevoke } from './commands/scim-token.ts';
import { UsageError } from './args.ts';
import { adminTokenCreate, adminTokenList, adminTokenRevoke } from './commands/admin-token.ts';
import { scimGroups, scimLog, scimUsers } from './commands/scim-inspect.ts';
import { riskStatus, riskSync } from './commands/risk.ts';
import { isolationSessions } from './commands/isolation.ts';
import { isolationWorker } from './commands/isolation-worker.ts';
import { connector } from './commands/connector.ts';
import { tunnelStatus, tunnelTokenCreate, tunnelTokenList, tunnelTokenRevoke } from './commands/tunnel.ts';

export interface Command {
  summary: string;
  usage: string;
  run(args: ParsedArgs): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the proxy, auth host and SCIM endpoint', usage: 'moatless serve [--config moatless.yaml] [--no-watch]', run: serve },
  demo: { summary: 'run the demo: Entra emulator, two sample apps, SQLite in ./data', usage: 'moatless demo', run: demo },
  init: {
    summary: 'write a commented starter moatless.yaml',
    usage: 'moatless init --tenant-id GUID --client-id GUID [--cloud global] [--auth-url URL] [--app-host HOST] '
      + '[--upstream URL] [--out moatless.yaml] [--force]',
    run: init,
  },
  'config check': { summary: 'validate a config file and print every problem with its path', usage: 'moatless config check [--config moatless.yaml]', run: configCheck },
  'sessions list': { summary: 'live sessions, newest first', usage: 'moatless sessions list [--user EMAIL] [--app ID] [--limit 100] [--json] [--config moatless.yaml | --url URL]', run: sessionsList },
  'apps list': { summary: 'protected apps with their hosts, upstream, IdPs and policies', usage: 'moatless apps list [--json] [--config moatless.yaml | --url URL]', run: appsList },
  'sessions revoke': { summary: 'end every session of a user, on every replica', usage: 'moatless sessions revoke --user EMAIL [--config moatless.yaml | --url URL]', run: sessionsRevoke },
  'policy test': { summary: 'explain the decision for a user and URL', usage: 'moatless policy test --url URL (--user EMAIL | --service-token NAME | --anonymous) [--ip IP] [--country CC] [--groups A,B] [--amr mfa] [--acrs c1] [--claim name=value]… [--idp ID] [--method GET] [--config moatless.yaml]; --gateway --url URL (--user EMAIL | --anonymous) [--ip IP] [--destination-ip IP] [--stage http|connect] [--from-isolation] for Gateway rules', run: policyTest },
  'scim token': {
    summary: 'create (printed once), list or revoke SCIM bearer tokens',
    usage: 'moatless scim token create --name entra [--directory NAME] | list [--json] | revoke --name NAME  [--config moatless.yaml | --url URL]',
    run: (args) => {
      const sub = args.positional.shift();
      if (sub === 'create') return scimTokenCreate(args);
      if (sub === 'list') return scimTokenList(args);
      if (sub === 'revoke') return scimTokenRevoke(args);
      throw new UsageError('expected create, list or revoke');
    },
  },
  'scim groups': { summary: 'list the groups Entra provisioned (names usable in policies)', usage: 'moatless scim groups [--directory NAME] [--limit 1000] [--json] [--config moatless.yaml | --url URL]', run: scimGroups },
  'scim users': { summary: 'list provisioned users and whether they are active', usage: 'moatless scim users [--directory NAME] [--limit 1000] [--json] [--config moatless.yaml | --url URL]', run: scimUsers },
  'scim log': { summary: 'the provisioning log: every SCIM request, newest first', usage: 'moatless scim log [--directory NAME] [--limit 50] [--json] [--config moatless.yaml | --url URL]', run: scimLog },
  'scim directory': { summary: 'directory settings (e.g. deprovision users left in no group)', usage: 'moatless scim directory set --directory NAME --deprovision-on-no-groups on|off [--config moatless.yaml | --url URL]', run: (args) => { if (args.positional.shift() !== 'set') throw new UsageError('expected set'); return scimDirectorySet(args); } },
  'entra auth-contexts': { summary: 'import the tenant\'s Conditional Access authentication contexts (needs Policy.Read.ConditionalAccess)', usage: 'moatless entra auth-contexts import [--idp ID] [--config moatless.yaml | --url URL]', run: (args) => { if (args.positional.shift() !== 'import') throw new UsageError('expected: moatless entra auth-contexts import'); return entraAuthContextsImport(args); } },
  'risk sync': { summary: 'run one risk-sync cycle by hand (Entra ID Protection → risk groups), or plan it', usage: 'moatless risk sync --once [--dry-run] [--confirm] [--full] [--json] [--config moatless.yaml | --url URL]', run: riskSync },
  'risk status': { summary: 'the risk sync\'s health: last success, counts per level, last error, recent changes', usage: 'moatless risk status [--json] [--config moatless.yaml | --url URL]', run: riskStatus },
  'isolation sessions': { summary: 'list isolation sessions (remote browsers), or end one', usage: 'moatless isolation sessions [--end ID] [--json] [--config moatless.yaml | --url URL]', run: isolationSessions },
  'isolation-worker': {
    summary: 'run remote browsers for the auth hosts sharing the store, on a host of their own (docs/isolation.md)',
    usage: 'moatless isolation-worker [--config moatless.yaml] [--name NAME] [--listen HOST:PORT] [--advertise HOST:PORT]',
    run: isolationWorker,
  },
  'dev entra': { summary: 'run the Entra ID emulator (development only)', usage: 'moatless dev entra [--fixture dev/entra-fixture.yaml] [--port 8081] [--host 127.0.0.1] [--public-url URL] [--risk-rps 1] | moatless dev entra risk --user UPN --level none|low|medium|high [--url http://127.0.0.1:8081]', run: devEntra },
  'admin token': {
    summary: 'create (printed once), list or revoke admin API tokens (scoped, expiring)',
    usage: 'moatless admin token create --name NAME --scope read|write --expires 30d | list [--json] | revoke --name NAME  [--config moatless.yaml | --url URL]',
    run: (args) => {
      const sub = args.positional.shift();
      if (sub === 'create') return adminTokenCreate(args);
      if (sub === 'list') return adminTokenList(args);
      if (sub === 'revoke') return adminTokenRevoke(args);
      throw new UsageError('expected create, list or revoke');
    },
  },
  connector: {
    summary: 'run a connector next to a private app: dials out to the edge, no inbound port (docs/tunnel.md)',
    usage: 'moatless connector --edge URL [--edge-address HOST:PORT]… (--token T | --token-file F) '
      + '(--url SERVICE | --ingress HOST[/PATH]=SERVICE… | --ingress-file FILE) [--connections 2] [--ca-file PEM] '
      + '[--pin-sha256 B64] [--require-assertion [--audience AUD]…] [--metrics 127.0.0.1:20241]',
    run: connector,
  },
  'tunnel token': {
    summary: 'create (printed once), list or revoke connector tokens; a revoke cuts the tunnel at once',
    usage: 'moatless tunnel token create --name NAME --tunnel TUNNEL | list [--json] | revoke --name NAME  [--config moatless.yaml | --url URL]',
    run: (args) => {
      const sub = args.positional.shift();
      if (sub === 'create') return tunnelTokenCreate(args);
      if (sub === 'list') return tunnelTokenList(args);
      if (sub === 'revoke') return tunnelTokenRevoke(args);
      throw new UsageError('expected create, list or revoke');
    },
  },
  'tunnel status': { summary: 'tunnels, their connectors, versions, addresses, connections and health', usage: 'moatless tunnel status [--json] [--config moatless.yaml | --url URL]', run: tunnelStatus },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  moatless ${k.padEnd(width)}  ${c.summary}`);
  return `Moatless — zero-trust access for your own machines.\n\nUsage:\n${lines.join('\n')}\n\nRun "moatless <command> --help" for a command's options. Docs: docs/cli.md\n`;
}
