import {
  apiEndpoint,
  type ChannelAccountRef,
  misconfiguredAccount,
  positiveNumber,
} from '@inbox/integrations/contract';

export const DEFAULT_API_BASE_URL = 'https://api.ok.ru/graph';
export const DEFAULT_REST_URL = 'https://api.ok.ru/fb.do';
const DEFAULT_ATTACHMENT_HOSTS = ['ok.ru', 'mycdn.me', 'okcdn.ru', 'odnoklassniki.ru'];

/** Everything the connector reads from one OK group account; resolved per call, never cached. */
export interface OkSettings {
  apiBaseUrl: string;
  accessToken: string;
  webhookSecret?: string;
  requestTimeoutMs: number;
  maxAttachmentBytes: number;
  attachmentHosts: string[];
  /** The group wall through OK's REST API; absent when the account names no group and application. */
  wall?: OkWallSettings;
}

/**
 * The wall is read and answered through the REST API (`fb.do`), signed with the application's keys: settings
 * { groupId, applicationKey, restUrl?, wallTopics?, wallLookbackMs? }, secrets { applicationSecretKey }.
 */
export interface OkWallSettings {
  restUrl: string;
  groupId: string;
  applicationKey: string;
  applicationSecretKey: string;
  /** The newest group topics looked at on each pull (their comments with them). */
  topics: number;
  /** How far back the first pull reads (no cursor yet). */
  lookbackMs: number;
}

const misconfigured = (what: string) => misconfiguredAccount('OK', what);

export function okSettings(account: ChannelAccountRef): OkSettings {
  const accessToken = account.secrets?.accessToken;
  if (!accessToken) throw misconfigured('secrets.accessToken is missing');
  return {
    ...apiEndpoint('OK', account, {
      apiBaseUrl: DEFAULT_API_BASE_URL,
      attachmentHosts: DEFAULT_ATTACHMENT_HOSTS,
    }),
    accessToken,
    webhookSecret: account.secrets?.webhookSecret || undefined,
    wall: wallSettings(account),
  };
}

function wallSettings(account: ChannelAccountRef): OkWallSettings | undefined {
  const s = account.settings ?? {};
  const groupId = typeof s.groupId === 'string' || typeof s.groupId === 'number' ? String(s.groupId) : '';
  const applicationKey = typeof s.applicationKey === 'string' ? s.applicationKey : '';
  const applicationSecretKey = account.secrets?.applicationSecretKey ?? '';
  if (!groupId && !applicationKey) return undefined;
  if (!/^\d+$/.test(groupId)) throw misconfigured("settings.groupId must be the group's numeric id");
  if (!applicationKey) throw misconfigured('settings.applicationKey is missing');
  if (!applicationSecretKey) throw misconfigured('secrets.applicationSecretKey is missing');
  const restUrl = typeof s.restUrl === 'string' && s.restUrl ? s.restUrl : DEFAULT_REST_URL;
  try {
    new URL(restUrl);
  } catch {
    throw misconfigured('settings.restUrl is not a URL');
  }
  return {
    restUrl,
    groupId,
    applicationKey,
    applicationSecretKey,
    topics: Math.min(100, Math.floor(positiveNumber(s.wallTopics, 20))),
    lookbackMs: positiveNumber(s.wallLookbackMs, 24 * 3_600_000),
  };
}
