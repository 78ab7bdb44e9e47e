import { Injectable, Module } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

/** `quarantined_inputs` (what no connector could read) as the retention sweep erases it (issue 14). */
@Injectable()
export class QuarantinedInputsRepository extends SqlRepository {
  /**
   * Erases the raw input of a batch kept aside before `before`; rows locked by another sweep are skipped.
   * Returns how many it erased.
   */
  async eraseStale(tx: Db, before: Date, limit: number): Promise<number> {
    const rows = await this.rows(
      `WITH stale AS (
         SELECT id FROM quarantined_inputs
          WHERE created_at < $1 AND raw IS NOT NULL AND NOT coalesce(raw ? 'personalDataRemoved', false)
          ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE quarantined_inputs q SET raw = '{"personalDataRemoved": true}'::jsonb FROM stale
        WHERE q.id = stale.id RETURNING q.id`,
      [before, limit],
      tx,
    );
    return rows.length;
  }
}

/** The quarantined inputs' repository alone, for the retention sweep (no connectors needed). */
@Module({ providers: [QuarantinedInputsRepository], exports: [QuarantinedInputsRepository] })
export class QuarantinedInputsModule {}
