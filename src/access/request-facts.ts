// The one place a request's policy facts are put together: the proxy (app-request.ts), the auth
// host's check before a hand-off (auth-host.ts) and `moatless policy test` all decide on facts
// built here, so the tester's answer is the proxy's. Must not: judge the facts — a directory that
// marks the user inactive is the engine's call (evaluate.ts, reason `directory.inactive`).
import type { DirectoryFacts, Facts, IdentityFacts, RequestFacts } from '../policy/types.ts';
import type { DirectoryFactsSource } from './context.ts';
import type { RequestInfo } from './request-info.ts';

export interface FactParts {
  now: number;
  request: RequestFacts;
  identity: IdentityFacts | undefined;
  /** Name of a verified service token, or null. */
  serviceToken: string | null;
}

/** The request facts of a live request: the address and country come from request-info.ts. */
export function requestFacts(info: RequestInfo, host: string, path: string, method: string): RequestFacts {
  return { ip: info.clientIp, country: info.country, host, path, method };
}

/**
 * Facts with the user's live directory state looked up (users only: a token has no directory entry).
 * Without a promise when the directory answers from its cache (the proxy's hot path); `await` either.
 */
export function gatherFacts(directory: DirectoryFactsSource | undefined, p: FactParts): Facts | Promise<Facts> {
  const d = p.identity && directory ? directory(p.identity.email) : undefined;
  return d instanceof Promise ? d.then((x) => buildFacts(p, x)) : buildFacts(p, d);
}

/** Facts from parts already at hand (the policy tester loads the directory entry itself first). */
export function buildFacts(p: FactParts, directory: DirectoryFacts | undefined): Facts {
  const f: Facts = { now: p.now, request: p.request };
  if (p.identity) f.identity = p.identity;
  if (directory) f.directory = directory;
  if (p.serviceToken !== null) f.serviceToken = { name: p.serviceToken };
  return f;
}
