import { DomainError } from '@inbox/common';

/** Which rule an input broke: finer than the domain code, for callers that explain it their own way. */
export type DeadlineRuleErrorCode =
  | 'invalid-date'
  | 'invalid-instant'
  | 'invalid-time-zone'
  | 'invalid-days'
  | 'already-extended'
  | 'extension-too-long'
  | 'invalid-working-hours'
  | 'no-working-time'
  | 'invalid-calendar-data';

/**
 * Thrown when an input breaks a legal rule (a second extension: `conflict`) or is malformed (`invalid-input`).
 * `rule` says which.
 */
export class DeadlineRuleError extends DomainError {
  constructor(
    readonly rule: DeadlineRuleErrorCode,
    message: string,
  ) {
    super(rule === 'already-extended' ? 'conflict' : 'invalid-input', message);
    this.name = 'DeadlineRuleError';
  }
}
