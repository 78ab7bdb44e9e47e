import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';

/**
 * Addresses inside the machine or its network that no remote payload may send us to: this host (127/8, ::1),
 * private networks (RFC 1918, fc00::/7), link-local (169.254/16: the cloud metadata service; fe80::/10), carrier
 * NAT, "this network", benchmarking, multicast and reserved ranges.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  // The unspecified address, loopback, and the deprecated IPv4-compatible ::a.b.c.d (::7f00:1).
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address is internal (an IPv4 address mapped into IPv6, ::ffff:127.0.0.1, by its IPv4 part). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The error a refused name connects with (undici hands it over as the fetch error's `cause`). */
export const INTERNAL_ADDRESS = 'EINTERNALADDRESS';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `dns.lookup` that refuses a host NAME resolving to an internal address (any of its addresses) at the moment of
 * connecting, unless `allowed` names it exactly: a name checked earlier cannot point inside later (DNS rebinding:
 * the first answer public, the connection's 127.0.0.1). An IP literal is never looked up (net connects to it as
 * is): `connectOutside` checks it for an address an administrator did not name.
 */
function lookupOutside(allowed: (hostname: string) => boolean) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    const open = allowed(hostname.toLowerCase());
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const inside = open ? undefined : addresses.find((a) => isInternalAddress(a.address));
      if (inside) return callback(refusal(hostname), '');
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function refusal(host: string): NodeJS.ErrnoException {
  const refused: NodeJS.ErrnoException = new Error(`${host} is or resolves to an internal address`);
  refused.code = INTERNAL_ADDRESS;
  return refused;
}

/**
 * undici's connector for a URL a remote side chose: a name is checked by `lookupOutside`, and an IP literal (which
 * no lookup sees) inside our network is refused too unless `allowed` names it — `http://169.254.169.254/` or
 * `http://10.0.0.5:6379/` in an answer, or in a redirect from it, never was an administrator's word.
 */
function connectOutside(allowed: (hostname: string) => boolean): buildConnector.connector {
  const connect = buildConnector({ lookup: lookupOutside(allowed) });
  return (options, callback) => {
    const host = options.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) && !allowed(host) && isInternalAddress(host)) return callback(refusal(host), null);
    return connect(options, callback);
  };
}

/** The dispatcher for fetches to an address a remote payload chose (`fetch(url, { dispatcher })`). */
export const externalOnly = new Agent({ connect: connectOutside(() => false) });

/**
 * Names inside our network the channel accounts' connections may reach (`allowInternalHosts`): none until the
 * channels registry says, so a process that never configured them reaches nothing inside by a name.
 */
let internalHosts: ReadonlySet<string> = new Set();

/**
 * Sets the names the accounts' connections may reach inside our network: CHANNEL_INTERNAL_HOSTS and the hosts of
 * the environment's own accounts (the word of whoever runs the system). Called by the channels registry.
 */
export function allowInternalHosts(hosts: Iterable<string>): void {
  internalHosts = new Set(
    [...hosts].map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1'),
    ),
  );
}

const internalHostAllowed = (hostname: string) => internalHosts.has(hostname);
const accountLookup = lookupOutside(internalHostAllowed);
const accountHttpAgent = new HttpAgent({ keepAlive: true, lookup: accountLookup });
const accountHttpsAgent = new HttpsAgent({ keepAlive: true, lookup: accountLookup });

/**
 * How every connection a channel account's settings direct is opened (its API, mail servers, feed, file hosts):
 * its name is resolved and checked at the moment of connecting, each address, against the internal ranges — the
 * check when an administrator saved the account saw only what the name resolved to then. `dispatcher` for fetch,
 * `agent` for node's http(s) clients, `lookup` for sockets (IMAP), `address` for a client that resolves names
 * itself (nodemailer). `handedOut` for an address the account's API hands out (VK's long-poll server, its upload
 * URLs): no administrator saw it, so an IP literal inside our network is refused as well (a spoofed or
 * compromised answer pointing at 169.254.169.254 or 127.0.0.1:6379), each redirect from it too — within the
 * same allowance (CHANNEL_INTERNAL_HOSTS and the environment's accounts' hosts).
 */
export const accountConnections = {
  lookup: accountLookup,
  dispatcher: new Agent({ connect: { lookup: accountLookup } }),
  handedOut: new Agent({ connect: connectOutside(internalHostAllowed) }),
  agent(protocol: string): HttpAgent {
    return protocol === 'http:' ? accountHttpAgent : accountHttpsAgent;
  },
  /** The address to connect to for `host` (itself when an IP literal), resolved and checked now. */
  address(host: string): Promise<string> {
    if (isIP(host)) return Promise.resolve(host);
    return new Promise((resolve, reject) =>
      accountLookup(host, {}, (error, address) => (error ? reject(error) : resolve(address as string))),
    );
  },
};
/** Whether a fetch failed because its host name resolves to an internal address. */
export function refusedAsInternal(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === INTERNAL_ADDRESS;
}
