import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: each worker's first retention sweep keys the access code hashes stored unkeyed before ACCESS_CODE_KEY
 * (`RegistrationRepository.keyUnkeyedAccessCodeHashes`). It looked for them by a pattern over `appeals` with no
 * index to match: a scan of the whole table on every worker start (10 M rows), to find none once they are keyed.
 * A migration cannot key them itself (the key is known only to the running processes), so the unkeyed rows get a
 * partial index of their own: the statement reads it, empty once they are keyed, and a code written unkeyed later
 * (a process of the earlier version still running through a deployment, a restored dump) is in it and keyed at the
 * next start. Appeals written since the key never enter it.
 *
 * Built inside the migration's transaction (not CONCURRENTLY: that waits for every session holding a snapshot);
 * writes to `appeals` wait for the build (one read of the table), reads go on.
 */
export class UnkeyedAccessCodeIndex1796206900000 implements MigrationInterface {
  name = 'UnkeyedAccessCodeIndex1796206900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX appeals_unkeyed_access_code_idx ON appeals (id) WHERE access_code_hash ~ '^[0-9a-f]{64}$'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX appeals_unkeyed_access_code_idx`);
  }
}
