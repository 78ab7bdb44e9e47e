import { type ChannelAccountRef } from './connector';
import { ConnectorError, ConnectorErrorCode } from './connector-error';

/**
 * Reading a channel account's free-form settings, as every connector does: a misconfigured account is an
 * AuthFailed ConnectorError naming the channel and what is wrong (never a secret's value).
 */
export function misconfiguredAccount(channel: string, what: string): ConnectorError {
  return new ConnectorError(ConnectorErrorCode.AuthFailed, `${channel} account misconfigured: ${what}`);
}

/** A positive number (a number or a numeric string), or the fallback when it is absent or not one. */
export function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * A number setting that must be at least `min`: absent or empty gives the fallback; anything else that is not
 * such a number is refused through `invalid`.
 */
export function numberSetting(
  settings: Record<string, unknown>,
  invalid: (key: string, why: string) => Error,
  key: string,
  fallback: number,
  min: number,
): number {
  const raw = settings[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(value) || value < min) throw invalid(key, `must be a number ≥ ${min}`);
  return value;
}

/**
 * The API base URL of a messenger account (settings.apiBaseUrl, else the channel's own; no trailing slash),
 * the hosts attachments may be downloaded from: the channel's, the API host (so that a fake or a proxy
 * serving both works without a test branch) and settings.attachmentHosts; and the calls' timeout and the
 * files' size limit (settings.requestTimeoutMs, 15 s; settings.maxAttachmentBytes, 20 MiB).
 */
export function apiEndpoint(
  channel: string,
  account: ChannelAccountRef,
  defaults: { apiBaseUrl: string; attachmentHosts: string[] },
): { apiBaseUrl: string; attachmentHosts: string[]; requestTimeoutMs: number; maxAttachmentBytes: number } {
  const s = account.settings ?? {};
  const apiBaseUrl = (
    typeof s.apiBaseUrl === 'string' && s.apiBaseUrl ? s.apiBaseUrl : defaults.apiBaseUrl
  ).replace(/\/+$/, '');
  let apiHost: string;
  try {
    apiHost = new URL(apiBaseUrl).hostname;
  } catch {
    throw misconfiguredAccount(channel, 'settings.apiBaseUrl is not a URL');
  }
  const extraHosts = Array.isArray(s.attachmentHosts)
    ? s.attachmentHosts.filter((h): h is string => typeof h === 'string')
    : [];
  return {
    apiBaseUrl,
    attachmentHosts: [...defaults.attachmentHosts, apiHost, ...extraHosts],
    requestTimeoutMs: positiveNumber(s.requestTimeoutMs, 15_000),
    maxAttachmentBytes: positiveNumber(s.maxAttachmentBytes, 20 * 1024 * 1024),
  };
}
