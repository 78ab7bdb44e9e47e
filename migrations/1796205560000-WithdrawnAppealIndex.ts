import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The inbox's «Отозванные» filter and each row's badge read the appeals whose author withdrew what they had sent (a
 * `withdrawn` history event: a deleted Telegram business message, a ПОС entry declined after registration). A
 * partial index holds only those events, so the filter reads them and not the whole history, and a row's probe is
 * one index lookup.
 */
export class WithdrawnAppealIndex1796205560000 implements MigrationInterface {
  name = 'WithdrawnAppealIndex1796205560000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX appeal_events_withdrawn_idx ON appeal_events (appeal_id, id) WHERE type = 'withdrawn'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX appeal_events_withdrawn_idx`);
  }
}
