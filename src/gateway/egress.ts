// Egress safety: the Gateway never dials loopback, link-local (169.254.169.254, the cloud metadata
// service), private, unique-local, multicast or reserved addresses, nor its own listeners, unless
// an Allow rule names that destination (own listeners: never — a loop). The check runs on the
// resolved address that is then dialled — resolve, check, connect to that IP — so DNS rebinding
// cannot swap the address between check and connect. IP literals in every spelling (decimal
// `2130706433`, octal `0177.0.0.1`, hex, IPv4-mapped IPv6) are normalised by the WHATWG URL
// parser before they get here and folded by parseIp, so they are checked as what they are.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { inRange, parseCidr, parseIp, type IpAddress, type IpRange } from '../policy/cidr.ts';

const BLOCKED: readonly [string, string][] = [
  ['0.0.0.0/8', 'this network'], ['10.0.0.0/8', 'private'], ['100.64.0.0/10', 'shared address space'],
  ['127.0.0.0/8', 'loopback'], ['169.254.0.0/16', 'link-local (cloud metadata)'], ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'], ['192.168.0.0/16', 'private'], ['198.18.0.0/15', 'benchmarking'],
  ['224.0.0.0/4', 'multicast'], ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'], ['::1/128', 'loopback'], ['64:ff9b::/96', 'NAT64 (embeds IPv4)'], ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'], ['ff00::/8', 'multicast'],
];
const RANGES: readonly [IpRange, string][] = BLOCKED.map(([cidr, why]) => [parseCidr(cidr) as IpRange, why]);

/** Answers by address text (a pure function of it), asked several times per request: bounded, cleared when full. */
const reasons = new Map<string, string | null>();

/** Why this address is not a public destination, or null when it is. Unparseable counts as unsafe. */
export function nonPublicReason(ip: string): string | null {
  const known = reasons.get(ip);
  if (known !== undefined) return known;
  const a = parseIp(ip);
  let why: string | null = a ? null : 'not an IP address';
  if (a) for (const [r, w] of RANGES) if (inRange(a, r)) { why = w; break; }
  if (reasons.size >= 4096) reasons.clear();
  reasons.set(ip, why);
  return why;
}

export interface Listener {
  /** As bound: an address (0.0.0.0 / :: mean every local address) and port. */
  host: string;
  port: number;
}

function same(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.words.every((w, i) => w === b.words[i]);
}

/** Whether dialling ip:port would reach one of Moatless's own listeners. */
export function isOwnListener(ip: string, port: number, own: readonly Listener[]): boolean {
  const a = parseIp(ip);
  if (!a) return true;
  const local = nonPublicReason(ip) !== null;
  return own.some((l) => {
    if (l.port !== port) return false;
    const b = parseIp(l.host);
    // A wildcard bind answers on every local address; a public address could be ours too, so
    // a wildcard listener's port is refused on any address.
    if (!b || l.host === '0.0.0.0' || l.host === '::') return true;
    return same(a, b) || (local && nonPublicReason(l.host) === 'loopback' && nonPublicReason(ip) === 'loopback');
  });
}

/**
 * Whether ip:port is one of Access's listeners in this process, strictly: the bound address itself,
 * or a loopback address when it is bound to loopback or every address. Remote browsers may reach
 * Access apps through the Gateway (Access is the front door that checks them); nothing else may.
 */
export function isAccessListener(ip: string, port: number, access: readonly Listener[]): boolean {
  const a = parseIp(ip);
  if (!a) return false;
  return access.some((l) => {
    if (l.port !== port) return false;
    const wildcard = l.host === '0.0.0.0' || l.host === '::';
    const b = parseIp(l.host);
    if (b && same(a, b)) return true;
    return nonPublicReason(ip) === 'loopback' && (wildcard || nonPublicReason(l.host) === 'loopback');
  });
}

export type EgressVerdict = { ok: true } | { ok: false; reason: string };

export function checkEgress(ip: string, port: number, own: readonly Listener[], allowedByRule: boolean): EgressVerdict {
  if (isOwnListener(ip, port, own)) return { ok: false, reason: `${ip}:${port} is one of Moatless's own listeners` };
  const why = nonPublicReason(ip);
  if (why && !allowedByRule) return { ok: false, reason: `${ip} is ${why}; only an allow rule naming it with destinationIp opens it` };
  return { ok: true };
}

/** Port: name → addresses. Tests inject one that never touches DNS. */
export type Resolver = (host: string) => Promise<readonly string[]>;

export const systemResolver: Resolver = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((r) => r.address);

/** The addresses for a target host: an IP literal is itself (brackets removed), a name is resolved. */
export async function resolveTarget(host: string, resolver: Resolver): Promise<readonly string[]> {
  const bare = host.startsWith('[') || host.endsWith(']') ? host.replace(/^\[|\]$/g, '') : host;
  if (isIP(bare)) return [bare];
  // RFC 6761 §6.3: *.localhost is loopback without asking DNS (browsers do the same); the egress
  // check then refuses it like any loopback address.
  if (/^(?:.+\.)?localhost\.?$/i.test(bare)) return ['127.0.0.1'];
  return resolver(bare);
}
