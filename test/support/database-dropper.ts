import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL, TEST_DATABASE_SETTINGS } from './services';

/**
 * The environment variable naming the prefix of the run's test databases when the run drops them in the
 * background (global-setup.ts sets it; test-database.ts reads it).
 */
export const DROPPED_DATABASE_PREFIX_ENV = 'TEST_DATABASE_PREFIX';

/** How the run's spare copies of the template are named: the prefix, then this, then a random part. */
export const SPARE = 'spare_';

/** Copies of the template kept ready for the next files. */
const SPARES = 2;

/**
 * Drops, in jest's main process, the test files' databases that their files have let go of, and keeps copies of
 * the template ready for the next files.
 *
 * A DROP DATABASE waits for a checkpoint of the whole server (Postgres 15 forces one): 0.5 to 10 s on this
 * machine, depending on what the server has to write, and the test file's worker waited for it before it could
 * start its next file. A file now only closes its connections, switches new ones off and marks the database
 * (`letGo` below), which takes no checkpoint; this loop, started by global-setup.ts and drained by
 * global-teardown.ts, drops what was let go one after another while the workers go on with their next files.
 * The mark is a comment, not `ALLOW_CONNECTIONS false` alone: a test switches connections off for an outage
 * (telegram-receipt-outage) and its database must not be dropped under it.
 *
 * A copy of the template takes 0.3–0.9 s here: once the first file has made the template, this loop keeps two
 * copies ready, and a file takes one by renaming it (`claimSpare`), making its own only when none is left.
 */
export class DatabaseDropper {
  private readonly client = new Client({ connectionString: ADMIN_DATABASE_URL });
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private failure?: unknown;

  constructor(
    private readonly prefix: string,
    private readonly template: string,
    private readonly everyMs = 250,
  ) {}

  async start(): Promise<void> {
    await this.client.connect();
    this.schedule();
  }

  /** Drops what is left to drop, stops and reports the first error a drop met. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
    await this.dropReleased();
    for (const name of await this.names(this.prefix + SPARE))
      await this.client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await this.client.end();
    if (this.failure) throw this.failure;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.pass = this.dropReleased()
        .catch((error: unknown) => {
          this.failure ??= error;
        })
        // Not a failure of the run: a file makes its own copy when none is ready.
        .then(() => this.makeSpares())
        .catch((error: unknown) => {
          process.stderr.write(`test databases: no spare copy of the template made: ${String(error)}\n`);
        })
        .finally(() => {
          if (this.timer) this.schedule();
        });
    }, this.everyMs);
    this.timer.unref();
  }

  private async dropReleased(): Promise<void> {
    const { rows } = await this.client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE starts_with(datname, $1) AND shobj_description(oid, 'pg_database') = $2 ORDER BY oid`,
      [this.prefix, LET_GO],
    );
    for (const { datname } of rows)
      await this.client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }

  private async makeSpares(): Promise<void> {
    // The template itself, not its half-made `<template>_building`, which starts with the same name.
    if (!(await this.names(this.template)).includes(this.template)) return;
    const missing = SPARES - (await this.names(this.prefix + SPARE)).length;
    for (let i = 0; i < missing; i++) {
      const name = `${this.prefix}${SPARE}${randomBytes(6).toString('hex')}`;
      await this.client.query(`CREATE DATABASE "${name}" TEMPLATE "${this.template}"`);
      await this.client.query(`ALTER DATABASE "${name}" ${TEST_DATABASE_SETTINGS}`);
    }
  }

  /** The databases whose names start with `prefix`. */
  private async names(prefix: string): Promise<string[]> {
    const { rows } = await this.client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY oid`,
      [prefix],
    );
    return rows.map((r) => r.datname);
  }
}

/**
 * A ready copy of the template (with TEST_DATABASE_SETTINGS) renamed to `name`, if one was left (DatabaseDropper):
 * false if none was. Two files
 * may reach for one copy at once; the rename gives it to one of them, and the other tries the next.
 */
export async function claimSpare(prefix: string, name: string): Promise<boolean> {
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY oid`,
      [prefix + SPARE],
    );
    for (const { datname } of rows) {
      try {
        await admin.query(`ALTER DATABASE "${datname}" RENAME TO "${name}"`);
        return true;
      } catch {
        // Taken by another file a moment before.
      }
    }
    return false;
  } finally {
    await admin.end();
  }
}

/** The comment on a database its test file has let go of. */
const LET_GO = 'let go: the run drops it';

/**
 * What a test file does instead of DROP DATABASE when the run drops in the background: no new connections to the
 * database, the ones left (a pool a test forgot, a killed child's) ended now, as the FORCE of a DROP would, and
 * the database marked for the dropper.
 */
export async function letGo(name: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    await admin.query(`COMMENT ON DATABASE "${name}" IS '${LET_GO}'`);
  } finally {
    await admin.end();
  }
}
