import { DomainError, type DomainErrorCode } from '@inbox/common';

/**
 * A refused workflow action: a domain error with a code (never an HTTP status), a Russian message for the
 * clerk and reasons by field where useful. The api's one filter maps the code to HTTP.
 */
export class WorkflowError extends DomainError {
  /**
   * @param audit ids (never personal data) the audit row of a refusal keeps: whom or what the refused action
   *   aimed at, e.g. the other organisation's user an assignment named.
   */
  constructor(
    code: DomainErrorCode,
    message: string,
    fields?: Record<string, string>,
    readonly audit?: Record<string, string>,
  ) {
    super(code, message, fields);
    this.name = 'WorkflowError';
  }
}

export const notFound = () => new WorkflowError('not-found', 'Обращение не найдено');
