import { ConnectorError, ConnectorErrorCode } from '@inbox/integrations/contract';
import { TelegramError } from 'telegraf';

/**
 * 403 answers of the Bot API name the recipient, not our token: the user blocked the bot, deleted the
 * account, never pressed Start. Retrying will not help and the token is fine, so they become NotFound
 * (the recipient is unreachable) rather than AuthFailed, which would stop the whole account.
 */
const RECIPIENT_GONE =
  /blocked by the user|user is deactivated|can't initiate conversation|bot was kicked|not a member|chat not found/i;

/** A press acknowledged too late, a file id Telegram no longer knows: gone for good, not our mistake. */
const THING_GONE = /query is too old|query id is invalid|invalid file_id|wrong file_id/i;

/** Bot API and transport errors → ConnectorError. Messages carry Telegram's description, never the token. */
/**
 * A connection that broke, or a wait that ran out, once the request was (or may have been) on its way (node-fetch's
 * `network timeout at`: from the socket to the answer's headers); a refused one never carried it.
 */
const CUT_AFTER_SENDING = /ECONNRESET|socket hang up|EPIPE|premature close|network timeout at/i;
/**
 * node-fetch's words for an answer whose headers came and whose body could not be read: not JSON (a proxy's page
 * with 200), cut short (`Invalid response body …: aborted`), or too slow (`Response timeout while trying to fetch`).
 */
const UNREADABLE_ANSWER =
  /invalid json response body|invalid response body|response timeout while trying to fetch/i;

export function toConnectorError(error: unknown, method: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof TelegramError) {
    const status = error.code;
    // JSON, but not the Bot API's answer (no `ok`, no error code: a proxy's or a broken gateway's): the request
    // reached something that answered, and Telegram may have carried it out.
    if (typeof status !== 'number') {
      return new ConnectorError(
        ConnectorErrorCode.Temporary,
        `Telegram ${method}: an answer that is not the Bot API's`,
        {
          outcomeUnknown: true,
        },
      );
    }
    const description = redactToken(String(error.description ?? ''));
    const message = `Telegram ${method}: ${status} ${description}`.trim();
    if (status === 429) {
      const seconds = Number(error.parameters?.retry_after);
      const retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
      return new ConnectorError(ConnectorErrorCode.RateLimited, message, { retryAfterMs, status });
    }
    if (status === 401 || status === 404) {
      // 401 Unauthorized: a revoked token; 404 Not Found: a malformed token or a wrong API root.
      return new ConnectorError(ConnectorErrorCode.AuthFailed, message, { status });
    }
    if (RECIPIENT_GONE.test(description) && (status === 403 || status === 400)) {
      return new ConnectorError(ConnectorErrorCode.NotFound, message, { status });
    }
    if (status === 400 && THING_GONE.test(description)) {
      return new ConnectorError(ConnectorErrorCode.NotFound, message, { status });
    }
    if (status === 403) return new ConnectorError(ConnectorErrorCode.AuthFailed, message, { status });
    // The Bot API takes files of 50 MB at most: the same file will never go, however often it is sent again.
    if (status === 413) return fileTooLargeToSend(message, status);
    if (status === 400) return new ConnectorError(ConnectorErrorCode.InvalidPayload, message, { status });
    // 409: another getUpdates poller or an active webhook; 5xx; anything else: try again later.
    return new ConnectorError(ConnectorErrorCode.Temporary, message, { status });
  }
  const name = error instanceof Error ? error.name : 'Error';
  const text = error instanceof Error ? redactToken(error.message) : String(error);
  // Given up waiting, or cut after the request went: Telegram may have carried it out all the same.
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new ConnectorError(ConnectorErrorCode.Temporary, `Telegram ${method}: timed out`, {
      outcomeUnknown: true,
    });
  }
  // node-fetch FetchError (connection refused, reset, a body that is not JSON) and the like. A body that is not
  // JSON came with a status below 500 (telegraf reads 5xx without it): something answered the request, and
  // whether Telegram carried it out first nobody can tell from that.
  return new ConnectorError(ConnectorErrorCode.Temporary, `Telegram ${method}: ${name}: ${text}`, {
    outcomeUnknown: CUT_AFTER_SENDING.test(text) || UNREADABLE_ANSWER.test(text),
  });
}

/** Bot tokens look like `123456:AA…`; they must never reach an error message or a log. */
export function redactToken(text: string): string {
  return text.replace(/\d{3,}:[\w-]{20,}/g, '[token]').replace(/\/(bot|file\/bot)[^/\s]+/g, '/$1[token]');
}

/** A file past the Bot API's 50 MB upload limit: refused for good, with the reason a clerk reads. */
export function fileTooLargeToSend(
  message = 'Telegram send: a file is larger than 50 MB',
  status?: number,
): ConnectorError {
  return new ConnectorError(ConnectorErrorCode.InvalidPayload, message, {
    ...(status !== undefined ? { status } : {}),
    fields: { attachments: 'Файл больше 50 МБ: Telegram его не принимает, отправьте ответ иным способом' },
  });
}
