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
