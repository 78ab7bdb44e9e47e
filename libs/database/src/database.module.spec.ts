import { databaseNotUpYet } from './database.module';

const coded = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('databaseNotUpYet: what a starting process waits out', () => {
  it('waits for a database that is not there yet, or is starting or stopping', () => {
    for (const error of [
      coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      coded('ETIMEDOUT'),
      coded('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db'),
      coded('57P03', 'the database system is starting up'),
      coded('57P01', 'terminating connection due to administrator command'),
      coded('08006'),
      // Every connection taken by another client (max_connections), or a role's limit reached: npm run chaos.
      coded('53300', 'sorry, too many clients already'),
      coded('53400', 'too many connections for role "inbox"'),
      // A server that takes no writes for now (a standby after a failover): npm run chaos.
      coded('25006', 'cannot execute INSERT in a read-only transaction'),
      new Error('Connection terminated unexpectedly'),
    ])
      expect(databaseNotUpYet(error)).toBe(true);
  });

  it('ends the start at once on a refused password, a missing database or a failed migration', () => {
    for (const error of [
      coded('28P01', 'password authentication failed for user "postgres"'),
      coded('3D000', 'database "inbox" does not exist'),
      coded('42P07', 'relation "appeals" already exists'),
      new Error('something else'),
      undefined,
    ])
      expect(databaseNotUpYet(error)).toBe(false);
  });
});
