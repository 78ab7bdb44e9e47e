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
  // NAT64's local-use prefix (RFC 8215): translated inside our own network.
  ['64:ff9b:1::', 48],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** An IPv6 address's eight 16-bit groups (`::` expanded, a trailing dotted IPv4 part as two groups). */
function groupsOf(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (p: string | undefined) => (p ? p.split(':') : []);
  const groups =
    tail === undefined
      ? part(head)
      : [...part(head), ...Array<string>(8 - part(head).length - part(tail).length).fill('0'), ...part(tail)];
  return groups.map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address an IPv6 one carries to be translated or tunnelled to it: NAT64's well-known prefix
 * (64:ff9b::a.b.c.d, RFC 6052), SIIT's IPv4-translated form (::ffff:0:a.b.c.d) and 6to4 (2002:aabb:ccdd::/48).
 */
function embeddedIPv4(address: string): string | undefined {
  const g = groupsOf(address);
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6], g[7]);
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return undefined;
}

/**
 * Whether an IP address is internal: an IPv4 address mapped into IPv6 (::ffff:127.0.0.1) by its IPv4 part, and
 * so one an IPv6 address carries for a translator or tunnel to reach (64:ff9b::a9fe:a9fe, 2002:a00:5::).
 */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  const carried = embeddedIPv4(address);
  return INTERNAL.check(address, 'ipv6') || (carried !== undefined && INTERNAL.check(carried, 'ipv4'));
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
 * is): `literalRefusal` checks it, before each connection.
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
 * The refusal of connecting to `host` when it is an IP literal inside our network that `allowed` does not name, in
 * whatever notation it came (`[::ffff:127.0.0.1]`; a URL's `0x7f000001` or `2130706433` reaches here as
 * 127.0.0.1); undefined for a name (`lookupOutside` checks what it resolves to) or an address outside. No lookup
 * ever sees an IP literal, so every way of connecting asks this first: else an account's address, a redirect from
 * its API or an address the API handed out that names `http://169.254.169.254/` or `10.0.0.5:6379` as digits was
 * connected to as is.
 */
function literalRefusal(
  host: string,
  allowed: (hostname: string) => boolean,
): NodeJS.ErrnoException | undefined {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) && !allowed(bare) && isInternalAddress(bare) ? refusal(bare) : undefined;
}

/**
 * undici's connector, used for every connection of a fetch, each redirect's too: a name is checked by
 * `lookupOutside`, an IP literal by `literalRefusal`.
 */
function connectOutside(allowed: (hostname: string) => boolean): buildConnector.connector {
  const connect = buildConnector({ lookup: lookupOutside(allowed) });
  return (options, callback) => {
    const refused = literalRefusal(options.hostname, allowed);
    if (refused) return callback(refused, null);
    return connect(options, callback);
  };
}

/** node's http(s) agent (telegraf's) connecting as `connectOutside` does, each redirect included. */
function agentOutside<A extends HttpAgent>(agent: A, allowed: (hostname: string) => boolean): A {
  const connect = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const refused = literalRefusal(String(options.hostname ?? options.host ?? ''), allowed);
    if (!refused) return connect(options, callback);
    // node's agent fails the request with an error given here (http.Agent#createSocket).
    callback?.(refused, undefined as never);
    return undefined as never;
  };
  return agent;
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
const accountHttpAgent = agentOutside(
  new HttpAgent({ keepAlive: true, lookup: accountLookup }),
  internalHostAllowed,
);
const accountHttpsAgent = agentOutside(
  new HttpsAgent({ keepAlive: true, lookup: accountLookup }),
  internalHostAllowed,
);

/**
 * How every connection of a channel account is opened — to what its settings name (its API, mail servers, feed,
 * file hosts), to where those redirect, and to what its API hands out (VK's long-poll server, its upload URLs):
 * refused when inside our network, checked at the moment of connecting — a name by each address it resolves to
 * (the check when an administrator saved the account saw only what it resolved to then), an IP literal in any
 * notation as it is — unless the allowance names the host (CHANNEL_INTERNAL_HOSTS and the environment's accounts'
 * hosts). `dispatcher` for fetch, `agent` for node's http(s) clients, `lookup` with `check` for sockets (IMAP),
 * `address` for a client that resolves names itself (nodemailer).
 */
export const accountConnections = {
  lookup: accountLookup,
  dispatcher: new Agent({ connect: connectOutside(internalHostAllowed) }),
  agent(protocol: string): HttpAgent {
    return protocol === 'http:' ? accountHttpAgent : accountHttpsAgent;
  },
  /** Refuses `host` now if it is an IP literal inside our network (a socket given `lookup` connects to it as is). */
  check(host: string): void {
    const refused = literalRefusal(host, internalHostAllowed);
    if (refused) throw refused;
  },
  /** The address to connect to for `host` (itself when an IP literal), resolved and checked now. */
  address(host: string): Promise<string> {
    const refused = literalRefusal(host, internalHostAllowed);
    if (refused) return Promise.reject(refused);
    if (isIP(host)) return Promise.resolve(host);
    return new Promise((resolve, reject) =>
      accountLookup(host, {}, (error, address) => (error ? reject(error) : resolve(address as string))),
    );
  },
};
/** Whether a fetch failed because its host is or resolves to an internal address. */
export function refusedAsInternal(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === INTERNAL_ADDRESS;
}
