import { clientAddressKey } from './client-address';

describe('clientAddressKey', () => {
  it('keeps an IPv4 address, and one mapped into IPv6 by its IPv4 form', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:0:12::/64';
    expect(clientAddressKey('2001:db8:0:12::1')).toBe(key);
    expect(clientAddressKey('2001:0db8:0000:0012:ffff:ffff:ffff:fffe')).toBe(key);
    expect(clientAddressKey('2001:DB8:0:12:a:b:1.2.3.4')).toBe(key);
    expect(clientAddressKey('2001:db8:0:13::1')).toBe('2001:db8:0:13::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('leaves what is no address as it is', () => {
    expect(clientAddressKey('unknown')).toBe('unknown');
  });
});
