import { NotFoundException } from '@nestjs/common';
import { DomainError } from '@inbox/common';
import { DomainErrorFilter, httpStatusOf } from './domain-error.filter';

function respond(error: unknown) {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json: (body: unknown) => (sent.body = body),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({}) }) };
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

  it("answers a Postgres data exception (the caller's bad value reaching SQL) as invalid input", () => {
    const sent = respond(
      Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code: '22P02' }),
    );
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ code: 'invalid-input' });
    expect(JSON.stringify(sent.body)).not.toContain('uuid');
  });

  it('answers an id naming nothing (foreign key) as invalid input and a duplicate as a conflict', () => {
    expect(respond(Object.assign(new Error('fk'), { code: '23503' })).status).toBe(400);
    expect(respond(Object.assign(new Error('dup'), { code: '23505' })).status).toBe(409);
  });

  it("keeps Nest's own HTTP exceptions and hides anything else behind a 500", () => {
    expect(respond(new NotFoundException('Cannot GET /x')).status).toBe(404);
    const sent = respond(Object.assign(new Error('connection to Иванов lost'), { code: '08006' }));
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('Иванов');
  });
});
