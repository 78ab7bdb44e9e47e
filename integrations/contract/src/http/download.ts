import { ConnectorError, ConnectorErrorCode } from '../connector-error';
import { type FetchedFile } from '../inbound-event';
import { fetchWithTimeout, httpUrl, isTooLarge, readBodyCapped, retryAfterMs } from './http';
import { accountConnections, externalOnly } from './internal-address';

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Hosts allowed, with their subdomains; anything else is refused (the URL came from a remote payload). */
  allowedHosts: string[];
}

const MAX_REDIRECTS = 3;

function hostAllowed(url: URL, hosts: string[]): boolean {
  const host = url.hostname.toLowerCase();
  return hosts.some((h) => host === h.toLowerCase() || host.endsWith(`.${h.toLowerCase()}`));
}

/**
 * How a download connects: a host the administrator named exactly (an account's API or feed host, an entry of its
 * attachment hosts) as the account's other connections do (outside our network unless CHANNEL_INTERNAL_HOSTS names
 * it, checked when connecting). A name the payload chose under an allowed domain (`sun9-1.userapi.com`) is
 * connected to only where it resolves outside our network, whatever CHANNEL_INTERNAL_HOSTS says.
 */
export function downloadDispatcher(url: URL, hosts: string[]): typeof externalOnly {
  const host = url.hostname.toLowerCase();
  return hosts.some((h) => h.toLowerCase() === host) ? accountConnections.dispatcher : externalOnly;
}

function checkUrl(raw: string, hosts: string[]): URL {
  const url = httpUrl(raw, ConnectorErrorCode.InvalidPayload, 'attachment reference');
  if (!hostAllowed(url, hosts)) {
    throw new ConnectorError(
      ConnectorErrorCode.InvalidPayload,
      `attachment host ${url.hostname} is not allowed`,
    );
  }
  return url;
}

function fileNameOf(response: Response, url: URL): string {
  const disposition = response.headers.get('content-disposition') ?? '';
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  if (plain) return plain[1].trim();
  const last = url.pathname.split('/').filter(Boolean).pop();
  if (!last) return 'file';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** Downloads a file the channel referenced, refusing foreign hosts and anything over the size limit. */
export async function downloadFile(
  rawUrl: string,
  limits: DownloadLimits,
  what = 'attachment',
): Promise<FetchedFile> {
  let url = checkUrl(rawUrl, limits.allowedHosts);
  let response: Response | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    // Redirects are followed by hand so that every hop passes the host check and connects as its host allows.
    const dispatcher = downloadDispatcher(url, limits.allowedHosts);
    const init = { method: 'GET', redirect: 'manual', dispatcher } as RequestInit;
    response = await fetchWithTimeout(what, url, init, limits.timeoutMs);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel().catch(() => undefined);
      url = checkUrl(new URL(location, url).toString(), limits.allowedHosts);
      continue;
    }
    break;
  }
  if (!response || (response.status >= 300 && response.status < 400)) {
    throw new ConnectorError(ConnectorErrorCode.Temporary, `${what}: too many redirects`);
  }
  const { status } = response;
  if (status === 404 || status === 410 || status === 403) {
    await response.body?.cancel().catch(() => undefined);
    // An expired or removed file: asking again will not bring it back.
    throw new ConnectorError(ConnectorErrorCode.NotFound, `${what}: HTTP ${status}`, { status });
  }
  if (status === 429) {
    throw new ConnectorError(ConnectorErrorCode.RateLimited, `${what}: HTTP 429`, {
      status,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after'), 1000),
    });
  }
  if (status < 200 || status >= 300) {
    await response.body?.cancel().catch(() => undefined);
    throw new ConnectorError(ConnectorErrorCode.Temporary, `${what}: HTTP ${status}`, { status });
  }
  const tooLarge = () =>
    new ConnectorError(ConnectorErrorCode.InvalidPayload, `${what}: larger than ${limits.maxBytes} bytes`, {
      status: 413,
      fields: { attachment: `Файл больше ${Math.round(limits.maxBytes / 1048576)} МБ` },
    });
  let content: Buffer;
  try {
    content = await readBodyCapped(what, response, limits.maxBytes);
  } catch (error) {
    throw isTooLarge(error) ? tooLarge() : error;
  }
  const contentType =
    (response.headers.get('content-type') ?? '').split(';')[0].trim() || 'application/octet-stream';
  return { fileName: fileNameOf(response, url), contentType, content };
}

/** What an account's settings say of its files: the size limit, the API's timeout and the file hosts. */
export interface AttachmentSettings {
  maxAttachmentBytes: number;
  requestTimeoutMs: number;
  attachmentHosts: string[];
}

/**
 * Downloads a file by the URL a connector put in remoteRef, from the account's file hosts only, within its size
 * limit. Files are larger than API answers: they are allowed four times the API's timeout.
 */
export function downloadAttachment(
  remoteRef: string,
  settings: AttachmentSettings,
  what: string,
): Promise<FetchedFile> {
  return downloadFile(
    remoteRef,
    {
      maxBytes: settings.maxAttachmentBytes,
      timeoutMs: settings.requestTimeoutMs * 4,
      allowedHosts: settings.attachmentHosts,
    },
    what,
  );
}
