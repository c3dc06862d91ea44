// The client's address, believing X-Forwarded-For only from configured trusted proxies.
import { BlockList, isIP } from 'node:net';

export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #any: boolean;

  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [addr, bits] = c.split('/');
      const family = isIP(addr ?? '') === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#list.addAddress(addr!, family);
      else this.#list.addSubnet(addr!, Number(bits), family);
    }
    this.#any = cidrs.length > 0;
  }

  isTrusted(ip: string): boolean {
    if (!this.#any || ip === '') return false;
    const plain = unmap(ip);
    return this.#list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * Walks X-Forwarded-For from the right, skipping trusted hops; the first untrusted address is the
   * client. A peer that is not trusted is the client, whatever it claims.
   */
  clientIp(peer: string, xff: string | undefined): string {
    const p = unmap(peer);
    if (!xff || !this.isTrusted(p)) return p;
    const hops = xff.split(',').map((h) => h.trim()).filter((h) => h !== '');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = unmap(hops[i]!);
      if (isIP(hop) === 0) return p; // garbage in the chain: fall back to the peer we actually see
      if (!this.isTrusted(hop)) return hop;
    }
    return hops.length > 0 ? unmap(hops[0]!) : p;
  }
}

export function unmap(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
