import { AddressSet, clientAddress } from './client-address';

describe('client address', () => {
  it('counts an IPv4 address as itself, also when mapped into IPv6', () => {
    expect(clientAddress('192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts every address of an IPv6 /64 as one, however it is written', () => {
    expect(clientAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
  });

  it('keys something that is not an address by its first 64 characters only', () => {
    expect(clientAddress('x'.repeat(1000))).toBe(`?${'x'.repeat(64)}`);
  });

  it('matches exempt addresses and CIDR ranges of both families', () => {
    const exempt = new AddressSet(['127.0.0.1', '10.1.0.0/16', '2001:db8::/32']);
    expect(exempt.has('127.0.0.1')).toBe(true);
    expect(exempt.has('::ffff:127.0.0.1')).toBe(true);
    expect(exempt.has('10.1.200.3')).toBe(true);
    expect(exempt.has('10.2.0.1')).toBe(false);
    expect(exempt.has('2001:db8:ffff::1')).toBe(true);
    expect(exempt.has('2001:db9::1')).toBe(false);
    expect(new AddressSet([]).has('127.0.0.1')).toBe(false);
  });
});
