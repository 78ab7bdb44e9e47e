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

/** Thrown when an input breaks a legal rule (e.g. a second extension) or is malformed. */
export class DeadlineRuleError extends Error {
  constructor(
    readonly code: DeadlineRuleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeadlineRuleError';
  }
}
