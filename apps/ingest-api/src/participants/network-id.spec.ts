import { NetworkIds, networkPrefix } from './network-id';

describe('network id of a registration', () => {
  const ids = new NetworkIds('a-test-secret-of-at-least-32-characters!');

  it('groups IPv4 addresses by /24 and IPv6 addresses by /48, IPv4-mapped IPv6 as IPv4', () => {
    expect(networkPrefix('203.0.113.7')).toBe('203.0.113.0/24');
    expect(networkPrefix('::ffff:203.0.113.250')).toBe('203.0.113.0/24');
    expect(networkPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkPrefix('2001:0db8:00ab::')).toBe('2001:db8:ab::/48');
    expect(networkPrefix('not an address')).toBeUndefined();
  });

  it('gives one id per prefix, another for the next prefix, and never contains the address', () => {
    const id = ids.of('198.51.100.1');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ids.of('198.51.100.254')).toBe(id);
    expect(ids.of('198.51.101.1')).not.toBe(id);
    expect(ids.of('2001:db8:1:2::1')).toBe(ids.of('2001:db8:1:ffff::9'));
    expect(id).not.toContain('198');
    expect(new NetworkIds('another-secret-of-at-least-32-characters').of('198.51.100.1')).not.toBe(id);
    expect(ids.of(undefined)).toBeUndefined();
  });
});
