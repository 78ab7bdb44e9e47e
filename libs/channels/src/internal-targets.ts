import { lookup } from 'node:dns/promises';
import { realpath } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isAbsolute, relative, resolve } from 'node:path';
import { type ConnectorKind, isInternalAddress } from '@inbox/integrations/contract';
import { secretBearingSettings } from './account-specs';

/** A host as connections compare it: trimmed, lower case, an IPv6 literal without its brackets. */
const bare = (host: string) =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');

/** Each host an account's connector connects to, with the setting that names it, as an administrator reads it. */
function connectedSettings(
  kind: ConnectorKind,
  settings: Record<string, unknown>,
): { setting: string; host: string }[] {
  const attachmentHosts = Array.isArray(settings.attachmentHosts)
    ? settings.attachmentHosts.filter((h): h is string => typeof h === 'string' && h.trim() !== '')
    : [];
  return [
    ...secretBearingSettings(kind, settings).map(({ field, host }) => ({
      setting: `«${field.label}» (${field.key})`,
      host: bare(host),
    })),
    ...attachmentHosts.map((host) => ({ setting: '«Узлы файлов» (attachmentHosts)', host: bare(host) })),
  ];
}

/** The hosts an account's connector connects to: its API, mail servers, feed, and a feed's attachment hosts. */
export function connectedHosts(kind: ConnectorKind, settings: Record<string, unknown>): string[] {
  return [...new Set(connectedSettings(kind, settings).map((s) => s.host))];
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
  const verdicts = new Map<string, Promise<boolean>>();
  for (const { setting, host } of connectedSettings(kind, settings)) {
    if (allowed.includes(host)) continue;
    if (!verdicts.has(host)) verdicts.set(host, internal(host));
    if (await verdicts.get(host)) refused.push(`${setting} — ${host}`);
  }
  if (refused.length === 0) return undefined;
  return (
    `Адрес во внутренней сети (этот сервер, локальная или служебная сеть): ${refused.join(', ')}. Учётная ` +
    'запись туда не обращается. Если это действительно нужно, узел добавляют в CHANNEL_INTERNAL_HOSTS'
  );
}

/** The folders of a МЭДО account: it reads packages from them, moves and writes files there. */
const MEDO_FOLDERS = ['inboundDir', 'outboundDir', 'quarantineDir', 'processedDir', 'stagingDir'];

/** A folder as the disk has it: links followed as far as it exists (a link inside a root may lead out of it). */
async function real(folder: string): Promise<string> {
  const path = resolve(folder);
  try {
    return await realpath(path);
  } catch {
    const parent = resolve(path, '..');
    return parent === path ? path : resolve(await real(parent), relative(parent, path));
  }
}

/**
 * Why an administrator's МЭДО account may not use its folders, in Russian; undefined when it may. Each must lie
 * inside a folder MEDO_ACCOUNT_ROOTS names: else an account with its incoming folder at /etc or the database's
 * data directory would read those files into appeals for staff to open, and move what is no package to its
 * quarantine. A relative folder is left to the connector, which names it as one to write in full.
 */
export async function foldersOutsideProblem(
  kind: ConnectorKind,
  settings: Record<string, unknown>,
  roots: readonly string[],
): Promise<string | undefined> {
  if (kind !== 'medo') return undefined;
  const outside: string[] = [];
  for (const key of MEDO_FOLDERS) {
    const folder = settings[key];
    if (typeof folder !== 'string' || !isAbsolute(folder.trim())) continue;
    const path = await real(folder.trim());
    const within = async (root: string) => {
      const rel = relative(await real(root), path);
      return !rel.startsWith('..') && !isAbsolute(rel);
    };
    let inside = false;
    for (const root of roots) inside ||= await within(root);
    if (!inside) outside.push(folder.trim());
  }
  if (outside.length === 0) return undefined;
  return (
    `Папки МЭДО ${outside.join(', ')} — вне разрешённых для учётных записей (MEDO_ACCOUNT_ROOTS: ` +
    `${roots.length > 0 ? roots.join(', ') : 'не заданы'}): учётная запись читает и перемещает в них файлы`
  );
}
