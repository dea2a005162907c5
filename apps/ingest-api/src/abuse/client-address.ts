import { BlockList, isIP } from 'node:net';

/**
 * The address a client is counted under. Fastify's `request.ip` is already the socket's peer, or
 * the first untrusted X-Forwarded-For hop when the peer is one of TRUSTED_PROXIES. An IPv4 address
 * mapped into IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 one; an IPv6 address counts as its /64,
 * the block one subscriber usually holds, so rotating through it does not buy a fresh budget.
 */
export const clientAddress = (ip: string): string => {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  const family = isIP(ip);
  if (family === 4) return ip;
  // Not an address (a proxy passed something else along): counted under its first 64 characters.
  if (family === 0) return `?${ip.slice(0, 64)}`;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
};

const expandIpv6 = (ip: string): string[] => {
  const [head, tail] = ip.split('%')[0].split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
};

/** RATE_LIMIT_EXEMPT: addresses and CIDR ranges whose writes are not counted (load generators, probes). */
export class AddressSet {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address, bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
  }

  has(ip: string): boolean {
    if (this.empty) return false;
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
    const address = mapped ? mapped[1] : ip;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
