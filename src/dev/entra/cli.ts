// `moatless dev entra`: parses its few flags, starts the emulator and prints where it is and who
// can sign in. Not a CLI framework; the lead wires the `moatless` command to runDevEntra. Must not
// print passwords or client secrets.
import { fileURLToPath } from 'node:url';
import { EmulatorError } from './errors.ts';
import { startEntraEmulator, type EntraEmulator } from './index.ts';
import { parseScimFlags, SCIM_FLAGS, SCIM_USAGE, startCliProvisioning, type ScimCliOptions } from './provisioning/cli.ts';

export const DEFAULT_FIXTURE = fileURLToPath(new URL('../../../dev/entra-fixture.yaml', import.meta.url));

export interface DevEntraArgs {
  fixture: string;
  port: number;
  host: string;
  publicUrl?: string;
  graphUrl?: string;
  redirectUris: string[];
  /** Set when `--scim-url`/`--scim-token` are given: push the directory to that SCIM endpoint. */
  scim?: ScimCliOptions;
  /** Identity Protection requests per second (429 without Retry-After above it); 0 = no limit. */
  riskRps?: number;
}

const USAGE = `usage: moatless dev entra [--fixture FILE] [--port N] [--host H] [--public-url URL] [--graph-url URL] [--redirect-uri URI]... [--risk-rps N] ${SCIM_USAGE}`;

export function parseDevEntraArgs(argv: readonly string[]): DevEntraArgs {
  const args: DevEntraArgs = { fixture: DEFAULT_FIXTURE, port: 8081, host: '127.0.0.1', redirectUris: [] };
  const scim = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new EmulatorError('invalid_option', `${flag} needs a value\n${USAGE}`);
    i++;
    if (flag === '--fixture') args.fixture = value;
    else if (flag === '--host') args.host = value;
    else if (flag === '--public-url') args.publicUrl = value;
    else if (flag === '--graph-url') args.graphUrl = value;
    else if (flag === '--redirect-uri') args.redirectUris.push(value);
    else if (flag === '--risk-rps') {
      const rps = Number(value);
      if (!Number.isFinite(rps) || rps < 0) throw new EmulatorError('invalid_option', `--risk-rps must be a number ≥ 0, got ${value}`);
      args.riskRps = rps;
    }
    else if (flag !== undefined && SCIM_FLAGS.has(flag)) scim.set(flag, value);
    else if (flag === '--port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EmulatorError('invalid_option', `--port must be 0-65535, got ${value}`);
      args.port = port;
    } else throw new EmulatorError('invalid_option', `unknown option ${flag}\n${USAGE}`);
  }
  const scimOptions = parseScimFlags(scim);
  if (scimOptions) args.scim = scimOptions;
  return args;
}

/** Starts the emulator from CLI arguments and prints its URLs and demo users; resolves once listening. */
export async function runDevEntra(argv: string[], out: (line: string) => void): Promise<EntraEmulator> {
  const args = parseDevEntraArgs(argv);
  const emu = await startEntraEmulator({
    fixturePath: args.fixture, host: args.host, port: args.port,
    publicBaseUrl: args.publicUrl, graphBaseUrl: args.graphUrl, extraRedirectUris: args.redirectUris,
    ...(args.riskRps !== undefined ? { riskRequestsPerSecond: args.riskRps } : {}),
  });
  out('!!! DEVELOPMENT EMULATOR — this is NOT Microsoft Entra ID. Demo passwords and secrets are public; never use it in production. !!!');
  out(`listening      ${emu.listenUrl}`);
  out(`issuer         ${emu.issuer}`);
  out(`discovery      ${emu.issuer}/.well-known/openid-configuration`);
  out(`graph          ${emu.graphUrl}/v1.0`);
  out(`tenant         ${emu.fixture.tenantName} (${emu.tenantId})`);
  for (const c of emu.fixture.clients) out(`client         ${c.clientId} ${c.displayName ?? ''} redirect: ${c.redirectUris.join(', ') || '(none)'}`);
  out('demo users (passwords are in the fixture):');
  for (const u of emu.directory.users()) {
    const risk = emu.risky.get(u.id);
    const atRisk = risk && risk.riskLevel !== 'none' ? `${risk.riskLevel.toUpperCase()} RISK` : null;
    const traits = [u.accountEnabled ? null : 'DISABLED', u.mfa ? 'mfa' : null, u.compliantDevice ? 'compliant device' : null, atRisk].filter(Boolean).join(', ');
    out(`  ${u.userPrincipalName.padEnd(24)} ${u.displayName}${traits ? ` — ${traits}` : ''}`);
  }
  out('raise or lower a user\'s risk (Entra ID Protection):');
  out(`  curl -X POST ${emu.listenUrl}/_emulator/risk -d '{"user":"alice@contoso.com","level":"high"}'   # level: none|low|medium|high`);
  if (args.scim) {
    const provisioning = await startCliProvisioning(emu.directory, args.scim, out);
    const close = emu.close;
    emu.close = async () => {
      await provisioning.stop();
      await close();
    };
  }
  return emu;
}

/** `moatless dev entra risk --user UPN --level high [--url URL]`: changes a user's risk in a running emulator. */
export async function setEmulatorRisk(url: string, user: string, level: string): Promise<{ ok: boolean; text: string }> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/_emulator/risk`, { method: 'POST', body: JSON.stringify({ user, level }) });
  return { ok: res.ok, text: await res.text() };
}
