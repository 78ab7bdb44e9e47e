import { NotFoundException } from '@nestjs/common';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
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
    const sent = respond(Object.assign(new Error('column Иванов does not exist'), { code: '42703' }));
    expect(sent.status).toBe(500);
    // A grant missing is our bug, not a disk gone read-only.
    expect(
      respond(Object.assign(new Error('permission denied for table appeals'), { code: '42501' })).status,
    ).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('Иванов');
  });

  it('answers a database that is away or refused the transaction for now with 503, Retry-After and a Russian message', () => {
    const away = [
      Object.assign(new Error('connection to Иванов lost'), { code: '08006' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' }),
      // The database's disk remounted read-only (42501 with the system's words), or failing (EIO, 58030).
      Object.assign(new Error('could not extend file "base/16384/16400": Read-only file system'), {
        code: '42501',
      }),
      Object.assign(new Error('could not read block 3 in file "base/16384/16400": Input/output error'), {
        code: '58030',
      }),
      Object.assign(new Error('could not serialize access'), { code: '40001' }),
      // A server that takes no writes: a standby after a failover, default_transaction_read_only.
      Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      // TypeORM's QueryFailedError keeps the driver's error.
      Object.assign(new Error('Query failed'), { driverError: { code: '57P01' } }),
      // A transaction's connection cut by the server between two of its statements (a Postgres restart): TypeORM
      // has given it up, and the next statement or savepoint says so without a code.
      new QueryRunnerAlreadyReleasedError(),
      new QueryRunnerProviderAlreadyReleasedError(),
      // Redis refusing the queue's write: out of memory (noeviction), loading, a MULTI discarded, gone.
      Object.assign(new Error("OOM command not allowed when used memory > 'maxmemory'."), {
        name: 'ReplyError',
      }),
      Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' }),
      Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), {
        name: 'ReplyError',
      }),
      new Error('Connection is closed.'),
      Object.assign(new Error('Reached the max retries per request limit (which is 20).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ];
    for (const error of away) {
      const sent = respond(error);
      expect(sent.status).toBe(503);
      expect(sent.headers['Retry-After']).toBe('30');
      expect(sent.body).toEqual({
        statusCode: 503,
        code: 'unavailable',
        message: 'Сервис временно недоступен. Повторите попытку через минуту.',
      });
    }
  });
});
