import {
  type ChannelAccountRef,
  ConnectorError,
  ConnectorErrorCode,
  isKnownTimeZone,
} from '@inbox/integrations/contract';

/**
 * What an e-mail is under the law. Since 547-ФЗ (in force 30.03.2025) a letter sent to an e-mail address
 * is not a 59-ФЗ appeal: 'message-with-notice' registers it as a message and asks the core to tell the
 * sender how to file an appeal; 'appeal' keeps the old behaviour for a mailbox that is an official
 * appeal address under a regional act.
 */
export type Policy547 = 'message-with-notice' | 'appeal';

export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The zone a Date header without its own is read in, when the account names none (settings.timeZone). */
export const DEFAULT_EMAIL_TIME_ZONE = 'Europe/Moscow';
/**
 * A letter larger than this is not downloaded: it is quarantined by its size (mail servers themselves refuse
 * 25–50 MB), so a few huge letters cannot exhaust the worker's memory. A page downloads at most twice this.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  mailbox: string;
  user: string;
  password: string;
  timeoutMs: number;
  rejectUnauthorized: boolean;
  /** Letters above this size are quarantined unread; a page reads at most twice this. */
  maxMessageBytes: number;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  /** Refuse to send unless the server upgrades the connection with STARTTLS. */
  requireTls: boolean;
  user?: string;
  password?: string;
  timeoutMs: number;
  rejectUnauthorized: boolean;
  fromAddress: string;
  fromName?: string;
}

/**
 * Where the mailbox keeps what was sent (LooksUpSends): `mailbox` (settings.sentMailbox), else the folder the server
 * marks \Sent; `savedBySmtp` (settings.smtpSavesToSent): the provider files every letter its SMTP server accepts
 * from this account into that folder by itself (Yandex, Mail.ru and Gmail do; a plain Postfix does not), so a letter
 * of ours absent from it was not accepted. Off by default: then only a letter found there settles anything.
 */
export interface SentFolderSettings {
  mailbox?: string;
  savedBySmtp: boolean;
}

/** What parsing an inbound letter needs from the account. */
export interface ParseSettings {
  policy547: Policy547;
  /** Attachments above this size stay in the mailbox and come as metadata with a remoteRef. */
  maxAttachmentBytes: number;
  fromAddress: string;
  /** IANA zone of the mailbox's senders: a Date header without a zone is a wall time there. */
  timeZone: string;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

/** A misconfigured account cannot work until someone fixes it: the core marks it failed (AuthFailed). */
function invalid(key: string): ConnectorError {
  return new ConnectorError(
    ConnectorErrorCode.AuthFailed,
    `E-mail account setting ${key} is missing or invalid`,
  );
}

function text(source: Record<string, unknown>, key: string, required: true): string;
function text(source: Record<string, unknown>, key: string, required: false): string | undefined;
function text(source: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const raw = source[key];
  if (typeof raw === 'string' && raw.trim()) return raw.trim();
  if (raw === undefined || raw === null || raw === '') {
    if (required) throw invalid(key);
    return undefined;
  }
  throw invalid(key);
}

function port(source: Record<string, unknown>, key: string): number {
  const raw = source[key];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw invalid(key);
  return value;
}

function flag(source: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const raw = source[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw invalid(key);
}

function positive(source: Record<string, unknown>, key: string, fallback: number): number {
  const raw = source[key];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw invalid(key);
  return value;
}

function secret(account: ChannelAccountRef, key: string, required: boolean): string | undefined {
  const raw = account.secrets?.[key];
  if (typeof raw === 'string' && raw !== '') return raw;
  if (required) {
    throw new ConnectorError(ConnectorErrorCode.AuthFailed, `E-mail account has no secrets.${key}`);
  }
  return undefined;
}

export function fromAddressOf(account: ChannelAccountRef): string {
  const from = text(account.settings ?? {}, 'fromAddress', true);
  if (!EMAIL.test(from)) throw invalid('fromAddress');
  return from;
}

function policyOf(settings: Record<string, unknown>): Policy547 {
  const raw = settings.policy547;
  if (raw === undefined || raw === null || raw === '') return 'message-with-notice';
  if (raw === 'message-with-notice' || raw === 'appeal') return raw;
  throw invalid('policy547');
}

export function imapSettingsOf(account: ChannelAccountRef): ImapSettings {
  const s = account.settings ?? {};
  return {
    host: text(s, 'imapHost', true),
    port: port(s, 'imapPort'),
    secure: flag(s, 'imapSecure', true),
    mailbox: text(s, 'mailbox', false) ?? 'INBOX',
    user: secret(account, 'imapUser', true)!,
    password: secret(account, 'imapPassword', true)!,
    timeoutMs: positive(s, 'timeoutMs', DEFAULT_TIMEOUT_MS),
    rejectUnauthorized: flag(s, 'tlsRejectUnauthorized', true),
    maxMessageBytes: positive(s, 'maxMessageBytes', DEFAULT_MAX_MESSAGE_BYTES),
  };
}

export function smtpSettingsOf(account: ChannelAccountRef): SmtpSettings {
  const s = account.settings ?? {};
  const user = secret(account, 'smtpUser', false);
  return {
    host: text(s, 'smtpHost', true),
    port: port(s, 'smtpPort'),
    secure: flag(s, 'smtpSecure', false),
    requireTls: flag(s, 'smtpRequireTls', false),
    user,
    // A password without a user means nothing to SMTP AUTH; ask for both or neither.
    password: user ? secret(account, 'smtpPassword', true) : undefined,
    timeoutMs: positive(s, 'timeoutMs', DEFAULT_TIMEOUT_MS),
    rejectUnauthorized: flag(s, 'tlsRejectUnauthorized', true),
    fromAddress: fromAddressOf(account),
    fromName: text(s, 'fromName', false),
  };
}

export function sentFolderOf(account: ChannelAccountRef): SentFolderSettings {
  const s = account.settings ?? {};
  return { mailbox: text(s, 'sentMailbox', false), savedBySmtp: flag(s, 'smtpSavesToSent', false) };
}

/** Settings that parsing needs; IMAP/SMTP ones are read only where they are used. */
export function parseSettingsOf(account: ChannelAccountRef): ParseSettings {
  const s = account.settings ?? {};
  return {
    policy547: policyOf(s),
    maxAttachmentBytes: positive(s, 'maxAttachmentBytes', DEFAULT_MAX_ATTACHMENT_BYTES),
    fromAddress: fromAddressOf(account),
    timeZone: timeZoneOf(s),
  };
}

function timeZoneOf(settings: Record<string, unknown>): string {
  const zone = text(settings, 'timeZone', false) ?? DEFAULT_EMAIL_TIME_ZONE;
  if (!isKnownTimeZone(zone)) throw invalid('timeZone');
  return zone;
}
