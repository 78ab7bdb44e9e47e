import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { scopeCountDeltaFunction } from './1796201620000-AppealScopeCounts';

/**
 * The scope counts' part trigger (migration AppealScopeCounts) reads the appeals of the parts a statement added,
 * and their other parts, by key (`= ANY (ARRAY(…))`) (issue 18). With `IN (SELECT … FROM added)` the planner
 * scanned `appeals` and `appeal_organisations` whole for a registration batch's 25 parts until the tables held
 * several thousand rows (≈ 1 500 rows read a scan, three scans a batch, registering 4 000 items). Same rows
 * counted, same lock order; the statement is still planned for its own size (EXECUTE).
 */
export class RegistrationTriggerCosts1796202600000 implements MigrationInterface {
  name = 'RegistrationTriggerCosts1796202600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(scopeCountDeltaFunction(true).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(scopeCountDeltaFunction().replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  }
}
