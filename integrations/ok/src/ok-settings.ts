import { type ChannelAccountRef, ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';

export const DEFAULT_API_BASE_URL = 'https://api.ok.ru/graph';
const DEFAULT_ATTACHMENT_HOSTS = ['ok.ru', 'mycdn.me', 'okcdn.ru', 'odnoklassniki.ru'];

/** Everything the connector reads from one OK group account; resolved per call, never cached. */
export interface OkSettings {
  apiBaseUrl: string;
  accessToken: string;
  webhookSecret?: string;
  requestTimeoutMs: number;
  maxAttachmentBytes: number;
  attachmentHosts: string[];
}

function misconfigured(what: string): ConnectorError {
  return new ConnectorError(ConnectorErrorCode.AuthFailed, `OK account misconfigured: ${what}`);
}

function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function okSettings(account: ChannelAccountRef): OkSettings {
  const s = account.settings ?? {};
  const accessToken = account.secrets?.accessToken;
  if (!accessToken) throw misconfigured('secrets.accessToken is missing');
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
    accessToken,
    webhookSecret: account.secrets?.webhookSecret || undefined,
    requestTimeoutMs: positiveNumber(s.requestTimeoutMs, 15_000),
    maxAttachmentBytes: positiveNumber(s.maxAttachmentBytes, 20 * 1024 * 1024),
    // The API host is allowed so that a fake (or a proxy) serving both API and files works without a test branch.
    attachmentHosts: [...DEFAULT_ATTACHMENT_HOSTS, apiHost, ...(extraHosts as string[])],
  };
}
