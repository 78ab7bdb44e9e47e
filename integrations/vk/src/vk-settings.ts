import { type ChannelAccountRef, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';

export const DEFAULT_API_BASE_URL = 'https://api.vk.com/method';
/** The API version the connector was written against (Callback API objects: message_new → { message, client_info }). */
export const DEFAULT_API_VERSION = '5.199';
const DEFAULT_ATTACHMENT_HOSTS = [
  'vk.com',
  'vk.ru',
  'vk.me',
  'userapi.com',
  'vkuser.net',
  'vk-cdn.net',
  'mycdn.me',
];

/** Everything the connector reads from one community account; resolved per call, never cached. */
export interface VkSettings {
  apiBaseUrl: string;
  apiVersion: string;
  groupId: number;
  token: string;
  callbackSecret?: string;
  confirmationCode?: string;
  requestTimeoutMs: number;
  /** Seconds the long-poll server may hold a request (VK allows 1…90). */
  longPollWaitSeconds: number;
  maxAttachmentBytes: number;
  /** Hosts (and their subdomains) fetchAttachment may download from. */
  attachmentHosts: string[];
}

function misconfigured(what: string): ConnectorError {
  return new ConnectorError(ConnectorErrorCode.AuthFailed, `VK account misconfigured: ${what}`);
}

function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function vkSettings(account: ChannelAccountRef): VkSettings {
  const s = account.settings ?? {};
  const groupId = Number(s.groupId);
  if (!Number.isSafeInteger(groupId) || groupId <= 0)
    throw misconfigured('settings.groupId must be a positive number');
  const token = account.secrets?.groupToken;
  if (!token) throw misconfigured('secrets.groupToken is missing');
  const apiBaseUrl = (
    typeof s.apiBaseUrl === 'string' && s.apiBaseUrl ? s.apiBaseUrl : DEFAULT_API_BASE_URL
  ).replace(/\/+$/, '');
  let apiHost: string;
  try {
    apiHost = new URL(apiBaseUrl).hostname;
  } catch {
    throw misconfigured('settings.apiBaseUrl is not a URL');
  }
  const extraHosts = Array.isArray(s.attachmentHosts)
    ? s.attachmentHosts.filter((h) => typeof h === 'string')
    : [];
  return {
    apiBaseUrl,
    apiVersion: typeof s.apiVersion === 'string' && s.apiVersion ? s.apiVersion : DEFAULT_API_VERSION,
    groupId,
    token,
    callbackSecret: account.secrets?.callbackSecret || undefined,
    confirmationCode:
      typeof s.confirmationCode === 'string' && s.confirmationCode ? s.confirmationCode : undefined,
    requestTimeoutMs: positiveNumber(s.requestTimeoutMs, 15_000),
    longPollWaitSeconds: Math.min(90, Math.round(positiveNumber(s.longPollWaitSeconds, 25))),
    maxAttachmentBytes: positiveNumber(s.maxAttachmentBytes, 20 * 1024 * 1024),
    // The API host is allowed so that a fake (or a proxy) serving both API and files works without a test branch.
    attachmentHosts: [...DEFAULT_ATTACHMENT_HOSTS, apiHost, ...(extraHosts as string[])],
  };
}
