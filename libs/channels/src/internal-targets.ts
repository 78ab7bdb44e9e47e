import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type ConnectorKind, isInternalAddress } from '@inbox/integrations/contract';
import { secretBearingHosts } from './account-specs';

/** The hosts an account's connector connects to: its API, mail servers, feed, and a feed's attachment hosts. */
function connectedHosts(kind: ConnectorKind, settings: Record<string, unknown>): string[] {
  const attachmentHosts = Array.isArray(settings.attachmentHosts)
    ? settings.attachmentHosts.filter((h): h is string => typeof h === 'string' && h.trim() !== '')
    : [];
  return [
    ...new Set(
      [...secretBearingHosts(kind, settings), ...attachmentHosts].map((h) =>
        h
          .trim()
          .toLowerCase()
          .replace(/^\[(.*)\]$/, '$1'),
      ),
    ),
  ];
}

/** A resolver that does not answer within this holds neither a save nor the registry's refresh. */
const LOOKUP_MS = 2000;

/** Whether a host is inside our network: an internal address, or a name that resolves to one now. */
async function internal(host: string): Promise<boolean> {
  if (isIP(host)) return isInternalAddress(host);
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(host, { all: true }),
      new Promise<[]>((resolve) => (timer = setTimeout(() => resolve([]), LOOKUP_MS))),
    ]);
    return addresses.some((a) => isInternalAddress(a.address));
  } catch {
    // Unresolvable now: nothing to connect to. The registry checks again whenever it builds the account.
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why an administrator's account may not connect where its settings point, in Russian; undefined when it may. A
 * host inside our network (this machine, private, link-local, carrier-NAT ranges; a name that resolves there) is
 * refused unless CHANNEL_INTERNAL_HOSTS names it: else an account pointed at 127.0.0.1:6379, Postgres or
 * 169.254.169.254 would have the worker call them with the account's secrets and show what they answered as the
 * account's last error.
 */
export async function internalTargetProblem(
  kind: ConnectorKind,
  settings: Record<string, unknown>,
  allowed: readonly string[],
): Promise<string | undefined> {
  const refused: string[] = [];
  for (const host of connectedHosts(kind, settings)) {
    if (!allowed.includes(host) && (await internal(host))) refused.push(host);
  }
  if (refused.length === 0) return undefined;
  return (
    `Адрес ${refused.join(', ')} — во внутренней сети (этот сервер, локальная или служебная сеть): учётная запись ` +
    'туда не обращается. Если это действительно нужно, узел добавляют в CHANNEL_INTERNAL_HOSTS'
  );
}
