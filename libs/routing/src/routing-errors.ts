/** A rule or a routing query that cannot be accepted; `errors` maps each field to a Russian message. */
export class RoutingValidationError extends Error {
  constructor(
    readonly errors: Record<string, string>,
    message = 'Проверьте правильность заполнения правила',
  ) {
    super(message);
    this.name = 'RoutingValidationError';
  }
}

export class RoutingRuleNotFoundError extends Error {
  constructor(readonly ruleId: string) {
    super('Правило маршрутизации не найдено');
    this.name = 'RoutingRuleNotFoundError';
  }
}
