import { redactText } from '@inbox/common';
import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';

interface ImapLikeError {
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  mailboxMissing?: boolean;
  responseText?: string;
  message?: string;
}

function describe(error: unknown): string {
  if (error instanceof Error) return redactText(error.message).slice(0, 300);
  return redactText(String(error)).slice(0, 300);
}

/** IMAP failures: a refused login stops the account, a missing mailbox is NotFound, the rest may pass. */
export function imapError(error: unknown, action: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = (error && typeof error === 'object' ? error : {}) as ImapLikeError;
  const response = (e.serverResponseCode ?? '').toUpperCase();
  const detail = [e.code, response, e.responseText ? redactText(e.responseText) : describe(error)]
    .filter(Boolean)
    .join(' ');
  if (e.authenticationFailed || response === 'AUTHENTICATIONFAILED' || response === 'AUTHORIZATIONFAILED') {
    return new ConnectorError(ConnectorErrorCode.AuthFailed, `IMAP ${action}: login refused (${detail})`);
  }
  if (e.mailboxMissing || response === 'NONEXISTENT' || e.code === 'NotFound') {
    return new ConnectorError(ConnectorErrorCode.NotFound, `IMAP ${action}: mailbox not found (${detail})`);
  }
  // Connection refused or reset, timeouts, BYE, throttling, UNAVAILABLE, a broken response: try again later.
  return new ConnectorError(ConnectorErrorCode.Temporary, `IMAP ${action}: ${detail}`);
}

interface SmtpLikeError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

const AUTH_CODES = new Set([530, 534, 535, 538]);

/**
 * SMTP replies (RFC 5321 4.2.1): 4xx is transient, 5xx permanent. An unknown mailbox (enhanced status
 * 5.1.x, RFC 3463) is NotFound; a refused login is AuthFailed; any other permanent refusal is
 * InvalidPayload so that the core stops retrying and shows the failure on the appeal.
 */
export function smtpError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = (error && typeof error === 'object' ? error : {}) as SmtpLikeError;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const where = e.command ? ` ${e.command.split(' ')[0]}` : '';
  const message = `SMTP${where}: ${e.code ?? ''} ${status ?? ''} ${describe(e.response ?? error)}`
    .replace(/\s+/g, ' ')
    .trim();
  if (status !== undefined && status >= 400 && status < 500) {
    return new ConnectorError(ConnectorErrorCode.Temporary, message, { status });
  }
  if (e.code === 'EAUTH' || e.code === 'NoAuth' || (status !== undefined && AUTH_CODES.has(status))) {
    return new ConnectorError(ConnectorErrorCode.AuthFailed, message, { ...(status ? { status } : {}) });
  }
  if (status !== undefined && status >= 500) {
    const enhanced = /\b5\.(\d{1,3})\.(\d{1,3})\b/.exec(e.response ?? '');
    if (enhanced && enhanced[1] === '1')
      return new ConnectorError(ConnectorErrorCode.NotFound, message, { status });
    return new ConnectorError(ConnectorErrorCode.InvalidPayload, message, { status });
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return new ConnectorError(ConnectorErrorCode.InvalidPayload, message);
  }
  // ECONNECTION, ECONNREFUSED, ETIMEDOUT, ESOCKET, EDNS, EPROTOCOL, ETLS and the unknown.
  return new ConnectorError(ConnectorErrorCode.Temporary, message);
}
