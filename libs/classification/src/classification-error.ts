/** A request the classification services refuse: an HTTP status, a Russian message, problems by field. */
export class ClassificationError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly errors?: Record<string, string> | { line: number; message: string }[],
  ) {
    super(message);
    this.name = 'ClassificationError';
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function notFound(message: string): ClassificationError {
  return new ClassificationError(404, message);
}
