import {
  apiEndpoint,
  type ChannelAccountRef,
  misconfiguredAccount,
  positiveNumber,
} from '@inbox/integrations/contract';

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

const misconfigured = (what: string) => misconfiguredAccount('VK', what);

export function vkSettings(account: ChannelAccountRef): VkSettings {
  const s = account.settings ?? {};
  const groupId = Number(s.groupId);
  if (!Number.isSafeInteger(groupId) || groupId <= 0)
    throw misconfigured('settings.groupId must be a positive number');
  const token = account.secrets?.groupToken;
  if (!token) throw misconfigured('secrets.groupToken is missing');
  return {
    ...apiEndpoint('VK', account, {
      apiBaseUrl: DEFAULT_API_BASE_URL,
      attachmentHosts: DEFAULT_ATTACHMENT_HOSTS,
    }),
    apiVersion: typeof s.apiVersion === 'string' && s.apiVersion ? s.apiVersion : DEFAULT_API_VERSION,
    groupId,
    token,
    callbackSecret: account.secrets?.callbackSecret || undefined,
    confirmationCode:
      typeof s.confirmationCode === 'string' && s.confirmationCode ? s.confirmationCode : undefined,
    longPollWaitSeconds: Math.min(90, Math.round(positiveNumber(s.longPollWaitSeconds, 25))),
  };
}
