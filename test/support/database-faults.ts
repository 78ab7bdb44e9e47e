import { type DataSource } from 'typeorm';

/**
 * Until the returned function is called, the database refuses to record an inbound event's outcome (an UPDATE of
 * inbound_events), as it refuses everything while Postgres restarts: the moment after an event was claimed and
 * before it was done.
 */
export async function refuseEventOutcomes(dataSource: DataSource): Promise<() => Promise<void>> {
  await dataSource.query(`
    CREATE FUNCTION refuse_outcome() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'the database is away'; END $$;
    CREATE TRIGGER refuse_outcome BEFORE UPDATE ON inbound_events FOR EACH ROW EXECUTE FUNCTION refuse_outcome();
  `);
  return async () => {
    await dataSource.query(`DROP TRIGGER refuse_outcome ON inbound_events; DROP FUNCTION refuse_outcome()`);
  };
}

/**
 * Until the returned function is called, the database refuses new rows in `table` (as it refuses everything while
 * Postgres restarts): the moment a handler has taken its input and not yet stored what it makes of it.
 */
export async function refuseInserts(dataSource: DataSource, table: string): Promise<() => Promise<void>> {
  await dataSource.query(`
    CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'the database is away'; END $$;
    CREATE TRIGGER refuse_insert BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_insert();
  `);
  return async () => {
    await dataSource.query(`DROP TRIGGER refuse_insert ON ${table}; DROP FUNCTION refuse_insert()`);
  };
}

/**
 * Until the returned function is called, the database refuses to delete rows of `table` (as it refuses everything
 * while Postgres restarts): a handler that failed and tries to let go of what it had taken cannot.
 */
export async function refuseDeletes(dataSource: DataSource, table: string): Promise<() => Promise<void>> {
  await dataSource.query(`
    CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'the database is away'; END $$;
    CREATE TRIGGER refuse_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_delete();
  `);
  return async () => {
    await dataSource.query(`DROP TRIGGER refuse_delete ON ${table}; DROP FUNCTION refuse_delete()`);
  };
}
