import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The pseudonymous network a registration came from (ParticipantRegistered v2 `networkId`, read
 * by the registration-burst rule of the abuse scan, docs/abuse.md): HMAC-SHA-256 under a server
 * secret of the address's /24 (IPv4) or /48 (IPv6) prefix, base64url, 22 characters (128 bits).
 * The address itself is never stored or logged; without the secret the id cannot be linked back
 * to a prefix, and one subscriber rotating addresses inside their prefix keeps one id.
 * Returns undefined when the address is not an IP address (unknown peer).
 */
export const networkPrefix = (ip: string): string | undefined => {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  const address = mapped ? mapped[1] : ip.split('%')[0];
  const version = isIP(address);
  if (version === 4) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (version !== 6) return undefined;
  const [head, tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : 8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 3).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/48`;
};

export class NetworkIds {
  constructor(private readonly secret: string) {
    if (secret.length < 32) throw new Error('the network id secret must be at least 32 characters');
  }

  of(ip: string | undefined): string | undefined {
    const prefix = ip === undefined ? undefined : networkPrefix(ip);
    if (prefix === undefined) return undefined;
    return createHmac('sha256', this.secret).update(`network-id/v1/${prefix}`).digest('base64url').slice(0, 22);
  }
}
