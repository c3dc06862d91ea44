// Gateway HTTP rules on Access apps (DESIGN.md's request path: "Access decision → Gateway HTTP
// policies"): after Access allows a signed-in user, the same gateway rules run on the request, so
// the seed's isolate rule holds whether the user comes through the forward proxy or opens the app
// through Access. Isolate redirects a page load to the viewer (other requests are blocked), Block
// answers with the block page. The app's upstream is configured, not resolved, so destinationIp
// rules never match here. Called from src/access/app-request.ts; owns nothing in Access.
import type { AccessContext } from '../access/context.ts';
import type { AccessReply, AccessRequest } from '../access/http-types.ts';
import type { RequestInfo } from '../access/request-info.ts';
import type { AccessRuntime } from '../access/runtime.ts';
import type { Identity } from '../identity/identity.ts';
import { evaluateGateway } from '../policy/gateway-evaluate.ts';
import type { Decision, DirectoryFacts } from '../policy/types.ts';
import { gatewayFacts, httpRequestFacts } from './facts.ts';
import { ISOLATED_HEADER, verifyIsolatedMarker } from './isolation-pass.ts';
import { sendBlock, sendIsolate } from './responses.ts';
import { matchedGroups } from './decide.ts';
import type { GatewayIsolation } from '../store/ports.ts';

/** True when the gateway answered (blocked or isolated); `log` gets the status it sent. */
export async function applyGatewayRules(
  ctx: AccessContext, rt: AccessRuntime, req: AccessRequest, res: AccessReply, info: RequestInfo,
  a: { decision: Decision; identity: Identity | undefined; directory?: DirectoryFacts | undefined }, log: (status: number) => void,
): Promise<boolean> {
  const set = rt.config.gatewayPolicies;
  if (!set || a.decision.action !== 'allow' || !a.identity) return false;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `${info.proto}://${req.headers.host ?? ''}`);
  } catch {
    return false;
  }
  // The directory facts Access decided on: not read again for the same request.
  const directory = a.directory;
  // The user's remote browser, relayed by this process's Gateway: already isolated, so Block still
  // applies but Isolate does not (it would send the remote browser to the viewer again).
  const fromIsolation = verifyIsolatedMarker(req.headers[ISOLATED_HEADER], a.identity.userKey, ctx.now());
  const facts = gatewayFacts('http', httpRequestFacts(url, req.method ?? 'GET', info.clientIp), { identity: a.identity, directory, fromIsolation }, ctx.now());
  const d = evaluateGateway(set, facts);
  const debug = rt.config.server.debugDenyReasons;
  if (d.action !== 'block' && d.action !== 'isolate') return false;
  // The gateway answered: one gateway-log line, as for proxied traffic (the access log has one too).
  const gatewayLine = (status: number, isolation: GatewayIsolation) => ctx.gatewayLog?.()?.record({
    time: ctx.now(), requestId: info.id, userKey: a.identity!.userKey, email: a.identity!.email, groups: matchedGroups({ decision: d, facts }),
    host: facts.request.host, url: url.href, method: req.method ?? 'GET', action: d.action, policy: d.policy?.name ?? null,
    reasons: [`access.app: ${facts.request.host}`, ...d.reasons.map((r) => (r.detail ? `${r.code}: ${r.detail}` : r.code))],
    status, bytes: 0, isolation, clientIp: info.clientIp,
  });
  if (d.action === 'block') {
    const status = sendBlock(res, req, d, info.id, debug);
    log(status);
    gatewayLine(status, null);
    return true;
  }
  const r = sendIsolate(res, req, d, url.href, rt.authOrigin, info.id, debug);
  log(r.status);
  gatewayLine(r.status, r.isolation);
  return true;
}
