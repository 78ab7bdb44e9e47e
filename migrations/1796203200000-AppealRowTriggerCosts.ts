import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { delta } from './1796201620000-AppealScopeCounts';

/**
 * The clock counts' appeal trigger (migrations OpenClockCounts, AppealScopeCounts) returns at once for an appeal
 * without clock marks (issue 18). It fires on every change of an open appeal's topic and on opening or closing
 * one, and worked out the appeal's contribution before and after (its marks, each organisation's ancestors)
 * even when there were no marks to count: most appeals when the classification pass gives them their topic.
 * That was ≈ 0.1 ms of a backend's CPU an appeal of the pass's topic write (50 appeals a statement, measured on a
 * 5 000-appeal bench database). Same rows counted: without marks both contributions are empty.
 */
export class AppealRowTriggerCosts1796203200000 implements MigrationInterface {
  name = 'AppealRowTriggerCosts1796203200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(delta(true, true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(delta(true));
  }
}
