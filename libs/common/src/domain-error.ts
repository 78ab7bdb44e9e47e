/**
 * What a domain refusal means, independent of any transport. The api maps each code to one HTTP status
 * (apps/api/src/errors/domain-error.filter.ts); workers and the CLI read the code, never a status.
 */
export type DomainErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'forbidden'
  | 'conflict'
  /** What was once there and is no more (an expired link). */
  | 'gone'
  | 'unauthenticated'
  | 'rate-limited'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unavailable';

/** Problems by field (`{ "applicant.phone": "Укажите телефон" }`) or by line of an uploaded file. */
export type DomainErrorDetails = Record<string, string> | { line: number; message: string }[];

/** A refusal with a Russian message for the person who asked, a code, and problems by field where useful. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors?: DomainErrorDetails,
    /** With `rate-limited`: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalidInput = (message: string, errors?: DomainErrorDetails) =>
  new DomainError('invalid-input', message, errors);
export const notFoundError = (message: string) => new DomainError('not-found', message);
export const forbiddenError = (message: string) => new DomainError('forbidden', message);
export const conflictError = (message: string, errors?: DomainErrorDetails) =>
  new DomainError('conflict', message, errors);
