import { DomainError } from '@inbox/common';
import { DomainErrorFilter, httpStatusOf } from './domain-error.filter';

function respond(error: DomainError) {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const res = {
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json: (body: unknown) => (sent.body = body),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) };
  new DomainErrorFilter().catch(error, host as never);
  return sent;
}

describe('DomainErrorFilter', () => {
  it('answers with the status of the code, the message and the problems by field', () => {
    const sent = respond(new DomainError('invalid-input', 'Проверьте поля', { subject: 'Укажите суть' }));
    expect(sent.status).toBe(400);
    expect(sent.body).toEqual({
      statusCode: 400,
      code: 'invalid-input',
      message: 'Проверьте поля',
      errors: { subject: 'Укажите суть' },
    });
  });

  it('tells a rate-limited caller when to come back', () => {
    const sent = respond(new DomainError('rate-limited', 'Слишком много попыток', undefined, 30));
    expect(sent.status).toBe(429);
    expect(sent.headers['Retry-After']).toBe('30');
  });

  it('maps every code to a distinct 4xx or 503', () => {
    const codes = ['invalid-input', 'not-found', 'forbidden', 'conflict', 'unauthenticated'] as const;
    expect(new Set(codes.map(httpStatusOf)).size).toBe(codes.length);
  });
});
