// IPv4/IPv6 addresses and CIDR ranges as 32-bit words, for allocation-free matching.
// Owns parsing (strict: no octal-looking octets, no zone ids in config) and containment. An address
// and a range only match within one family; IPv4-mapped IPv6 (RFC 4291 §2.5.5.2, `::ffff:a.b.c.d`)
// is folded to IPv4 on both sides, so dual-stack sockets still match IPv4 ranges.

export interface IpAddress {
  readonly family: 4 | 6;
  /** One word for IPv4, four (most significant first) for IPv6. */
  readonly words: readonly number[];
}

export interface IpRange {
  readonly family: 4 | 6;
  readonly base: readonly number[];
  readonly mask: readonly number[];
  readonly prefix: number;
  /** Canonical text, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseV4Word(text: string): number | null {
  const m = V4.exec(text);
  if (!m) return null;
  let word = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    // "010" is octal to some parsers and decimal to others: refuse rather than guess.
    if (part.length > 1 && part[0] === '0') return null;
    const n = Number(part);
    if (n > 255) return null;
    word = word * 256 + n;
  }
  return word;
}

function parseV6Words(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const w = parseV4Word(p);
        if (w === null) return null;
        out.push(w >>> 16, w & 0xffff);
      } else if (HEX_GROUP.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return null;
  // A dotted tail only belongs at the very end (RFC 4291 §2.2 form 3).
  if (halves.length === 2 && halves[0]!.includes('.')) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push(((groups[i]! << 16) | groups[i + 1]!) >>> 0);
  return words;
}

function isMapped(w: readonly number[]): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

/**
 * Answers by text (parsing is a pure function of it; the results are frozen and shared): the
 * Gateway asks for the same destination and listener addresses several times per request — rules,
 * egress, own-listener checks. Bounded, cleared when full.
 */
const known = [new Map<string, IpAddress | null>(), new Map<string, IpAddress | null>()] as const;

/** Parses an address; IPv4-mapped IPv6 becomes IPv4. `allowZone` strips a `%eth0` zone id. */
export function parseIp(text: string, allowZone = true): IpAddress | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return null;
  const cache = known[allowZone ? 1 : 0];
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const a = parseUncached(text, allowZone);
  if (cache.size >= 4096) cache.clear();
  cache.set(text, a && Object.freeze({ family: a.family, words: Object.freeze(a.words) }));
  return cache.get(text)!;
}

function parseUncached(text: string, allowZone: boolean): IpAddress | null {
  const v4 = parseV4Word(text);
  if (v4 !== null) return { family: 4, words: [v4] };
  let s = text;
  const zone = s.indexOf('%');
  if (zone !== -1) {
    if (!allowZone || zone === s.length - 1) return null;
    s = s.slice(0, zone);
  }
  if (!s.includes(':')) return null;
  const words = parseV6Words(s);
  if (!words) return null;
  if (isMapped(words)) return { family: 4, words: [words[3]!] };
  return { family: 6, words };
}

function maskFor(family: 4 | 6, prefix: number): number[] {
  const n = family === 4 ? 1 : 4;
  const mask: number[] = [];
  for (let i = 0; i < n; i++) {
    const bits = Math.max(0, Math.min(32, prefix - 32 * i));
    mask.push(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
  }
  return mask;
}

function formatWords(a: IpAddress): string {
  if (a.family === 4) {
    const w = a.words[0]!;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const groups = a.words.flatMap((w) => [w >>> 16, w & 0xffff]);
  // RFC 5952 §4.2: compress the longest run (length 2 or more) of zero groups, the first on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Returns an error message on failure. */
export function parseCidr(text: string): IpRange | { error: string } {
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const addr = parseIp(addrText, false);
  if (!addr) return { error: `"${text}" is not an IPv4 or IPv6 address or CIDR range` };
  const isV6Text = addrText.includes(':');
  let prefix = isV6Text ? 128 : 32;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > prefix) return { error: `"${text}" has an invalid prefix length (0-${prefix})` };
    prefix = Number(p);
  }
  let family = addr.family;
  if (isV6Text && family === 4) {
    // A mapped range (`::ffff:10.0.0.0/104`) is an IPv4 range in disguise; wider ones stay IPv6.
    if (prefix >= 96) prefix -= 96;
    else return { error: `"${text}" spans IPv4-mapped and other IPv6 space; write the IPv4 and IPv6 ranges separately` };
  }
  const mask = maskFor(family, prefix);
  const base = addr.words.map((w, i) => (w & mask[i]!) >>> 0);
  if (base.some((w, i) => w !== addr.words[i])) {
    const fixed = formatWords({ family, words: base });
    return { error: `"${text}" has host bits set; did you mean ${fixed}/${prefix}?` };
  }
  return { family, base, mask, prefix, text: `${formatWords({ family, words: base })}/${prefix}` };
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.family !== range.family) return false;
  for (let i = 0; i < range.base.length; i++) {
    if (((ip.words[i]! & range.mask[i]!) >>> 0) !== range.base[i]) return false;
  }
  return true;
}
