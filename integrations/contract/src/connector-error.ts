export enum ConnectorErrorCode {
  Temporary = 'Temporary',
  RateLimited = 'RateLimited',
  AuthFailed = 'AuthFailed',
  NotFound = 'NotFound',
  InvalidPayload = 'InvalidPayload',
  CursorInvalid = 'CursorInvalid',
}

/**
 * The only error a connector throws. `fields` carries per-field reasons for InvalidPayload. `outcomeUnknown`: the
 * request may have reached the channel and been carried out (no answer in time, the connection cut after it was
 * written) — for a send, the citizen may have the message.
 */
export class ConnectorError extends Error {
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly details: {
      retryAfterMs?: number;
      fields?: Record<string, string>;
      status?: number;
      outcomeUnknown?: boolean;
      /** The message is written for the administrator, in Russian (what to fix in the account): shown as is. */
      toAdministrator?: boolean;
      /** A send in several messages stopped after `sent` of `total` went out (laterPartFailed). */
      partsSent?: { sent: number; total: number };
      /**
       * A send in several messages not resumed: the message no longer splits as the parts out did (firstUnsentPart),
       * so the rest cannot follow them. Nothing was sent.
       */
      partsChanged?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
  }

  get retryable(): boolean {
    return this.code === ConnectorErrorCode.Temporary || this.code === ConnectorErrorCode.RateLimited;
  }
}

/**
 * How a remote API's own error codes map onto ours: the rate-limited ones with the wait before a retry, the
 * account's credentials refused, a recipient that cannot be reached (permanent for it; the account is fine), a
 * request refused as malformed. Any other code is Temporary: worth another try with back-off.
 */
export interface RemoteErrorCodes {
  rateLimited: Readonly<Record<number, number>>;
  authFailed: readonly number[];
  notFound: readonly number[];
  invalidPayload: readonly number[];
}

/** A remote API's error code → ConnectorError, by the API's table; `text` says which call and what it said. */
export function remoteApiError(codes: RemoteErrorCodes, code: number, text: string): ConnectorError {
  const wait = codes.rateLimited[code];
  if (wait !== undefined)
    return new ConnectorError(ConnectorErrorCode.RateLimited, text, { retryAfterMs: wait });
  if (codes.authFailed.includes(code)) return new ConnectorError(ConnectorErrorCode.AuthFailed, text);
  if (codes.notFound.includes(code)) return new ConnectorError(ConnectorErrorCode.NotFound, text);
  if (codes.invalidPayload.includes(code)) return new ConnectorError(ConnectorErrorCode.InvalidPayload, text);
  return new ConnectorError(ConnectorErrorCode.Temporary, text);
}

/**
 * A part of a send that goes out as several messages (a long text, then files) failed after `sent` of `total` went
 * out: the error as it was, with how far the send got (`partsSent`). The core has recorded each part as it went
 * (PartsProgress.partSent), so a retry sends only the parts not yet out; the failure keeps its own kind — a 502 or a
 * refused connection is retried with back-off, a timeout stays of unknown outcome (the part may be out), a blocked
 * bot stays permanent. A failure of the first part (`sent` 0) left nothing out and is returned as it is.
 */
export function laterPartFailed(
  error: ConnectorError,
  what: string,
  sent: number,
  total: number,
): ConnectorError {
  if (sent === 0) return error;
  return new ConnectorError(
    error.code,
    `${what}: part ${sent + 1} of ${total} failed after ${sent} went out (${error.message})`,
    { ...error.details, partsSent: { sent, total } },
  );
}
