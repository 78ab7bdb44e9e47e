import {
  accountConnections,
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  httpUrl,
  numberSetting,
} from '@inbox/integrations/contract';
import { Telegram } from 'telegraf';

export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** Settings of a Telegram bot account (`ChannelAccountRef.settings`), with their defaults. */
export interface TelegramSettings {
  /** Bot API root; tests point it at the local fake. */
  apiRoot: string;
  /** getUpdates long-poll timeout, seconds. */
  pollTimeoutSeconds: number;
  /** Time allowed for one ordinary API call, on top of the long-poll timeout for getUpdates. */
  requestTimeoutMs: number;
  /** Largest file fetchAttachment downloads (the Bot API itself serves at most 20 MB). */
  maxFileBytes: number;
  /** Time allowed for one file download. */
  downloadTimeoutMs: number;
  /** Comments under the official channel's posts (its discussion group) are registered (8-ФЗ); off by default. */
  channelComments: boolean;
}

export const DEFAULT_SETTINGS: Omit<TelegramSettings, 'apiRoot'> = {
  channelComments: false,
  pollTimeoutSeconds: 25,
  requestTimeoutMs: 30_000,
  maxFileBytes: 20 * 1024 * 1024,
  downloadTimeoutMs: 120_000,
};

const invalid = (key: string) =>
  new ConnectorError(ConnectorErrorCode.AuthFailed, `Telegram account setting ${key} is invalid`);

export function settingsOf(account: ChannelAccountRef): TelegramSettings {
  const settings = account.settings ?? {};
  const rawRoot = settings.apiRoot;
  const apiRoot = typeof rawRoot === 'string' && rawRoot.trim() ? rawRoot.trim() : DEFAULT_API_ROOT;
  const url = httpUrl(apiRoot, ConnectorErrorCode.AuthFailed, 'Telegram account setting apiRoot');
  return {
    // A trailing slash so that relative method paths resolve under a root that has a path of its own.
    apiRoot: url.href.endsWith('/') ? url.href : `${url.href}/`,
    pollTimeoutSeconds: numberSetting(
      settings,
      invalid,
      'pollTimeoutSeconds',
      DEFAULT_SETTINGS.pollTimeoutSeconds,
      0,
    ),
    requestTimeoutMs: numberSetting(
      settings,
      invalid,
      'requestTimeoutMs',
      DEFAULT_SETTINGS.requestTimeoutMs,
      1,
    ),
    maxFileBytes: numberSetting(settings, invalid, 'maxFileBytes', DEFAULT_SETTINGS.maxFileBytes, 1),
    downloadTimeoutMs: numberSetting(
      settings,
      invalid,
      'downloadTimeoutMs',
      DEFAULT_SETTINGS.downloadTimeoutMs,
      1,
    ),
    channelComments: settings.channelComments === true || settings.channelComments === 'true',
  };
}

export function tokenOf(account: ChannelAccountRef): string {
  const token = account.secrets?.botToken;
  if (typeof token !== 'string' || !token.trim()) {
    throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'Telegram account has no secrets.botToken');
  }
  return token.trim();
}

/** A Bot API client for this account only: built per call, nothing shared between accounts. */
export function clientFor(account: ChannelAccountRef): {
  telegram: Telegram;
  settings: TelegramSettings;
  token: string;
} {
  const settings = settingsOf(account);
  const token = tokenOf(account);
  const telegram = new Telegram(token, { apiRoot: settings.apiRoot });
  // Set after construction: telegraf drops an agent given for an http:// root and would connect unchecked.
  telegram.options.agent = accountConnections.agent(new URL(settings.apiRoot).protocol);
  return { telegram, settings, token };
}
