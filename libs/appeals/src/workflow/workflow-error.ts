/** A refused workflow action, with a Russian message for the clerk and per-field reasons where useful. */
export class WorkflowError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

export const notFound = () => new WorkflowError(404, 'Обращение не найдено');
