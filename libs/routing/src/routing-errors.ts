import { DomainError } from '@inbox/common';

/** A rule or a routing query that cannot be accepted; `errors` maps each field to a Russian message. */
export class RoutingValidationError extends DomainError {
  constructor(
    readonly fieldErrors: Record<string, string>,
    message = 'Проверьте правильность заполнения правила',
  ) {
    super('invalid-input', message, fieldErrors);
    this.name = 'RoutingValidationError';
  }
}

export class RoutingRuleNotFoundError extends DomainError {
  constructor(readonly ruleId: string) {
    super('not-found', 'Правило маршрутизации не найдено');
    this.name = 'RoutingRuleNotFoundError';
  }
}
