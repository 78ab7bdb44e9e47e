export enum ConnectorErrorCode {
  Temporary = 'Temporary',
  RateLimited = 'RateLimited',
  AuthFailed = 'AuthFailed',
  NotFound = 'NotFound',
  InvalidPayload = 'InvalidPayload',
  CursorInvalid = 'CursorInvalid',
}

/** The only error a connector throws. `fields` carries per-field reasons for InvalidPayload. */
export class ConnectorError extends Error {
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly details: { retryAfterMs?: number; fields?: Record<string, string>; status?: number } = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
  }

  get retryable(): boolean {
    return this.code === ConnectorErrorCode.Temporary || this.code === ConnectorErrorCode.RateLimited;
  }
}
