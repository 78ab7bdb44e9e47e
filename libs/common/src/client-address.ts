import { isIPv6 } from 'node:net';

/**
 * What a client's budgets count under (rate limits, wrong access codes, sign-in lock-outs, upload bytes): an IPv4
 * address as it is — one a dual-stack socket maps into IPv6 (::ffff:1.2.3.4) by its IPv4 form — and an IPv6
 * address by its /64, the block one subscriber is given: counted per address, one client rotating through its
 * 2^64 addresses would get a fresh budget with each request.
 */
export function clientAddressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  return `${hextets(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros ('::' expanded, a trailing IPv4 part as two). */
function hextets(address: string): string[] {
  let a = address.split('%')[0].toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number);
    a = `${a.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16).toString(16));
}
