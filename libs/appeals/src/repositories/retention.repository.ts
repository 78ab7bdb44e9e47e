import { Injectable } from '@nestjs/common';
import { type Db, queryRows } from '@inbox/database';

/** What the card shows in place of the citizen's text once the personal data is gone. */
export const PERSONAL_DATA_ERASED_TEXT_RU = 'Персональные данные удалены по истечении срока хранения';

/** Statuses in which an appeal is done with: its retention period runs from when it got there. */
export const RETENTION_STATUSES = ['closed', 'answered', 'redirected'] as const;

/**
 * Erasure of the personal data the appeals lib keeps (issue 14), step by step in the retention sweep's
 * transaction (libs/retention): the applicant (the appeal gets an anonymous applicant of its channel; the old
 * one is deleted unless a newer appeal still uses it), the text, subject, address and reply address, the
 * answers' texts, staff notes, the files' names and the answers' files, the comments given with ratings, and the
 * citizen's words in the history.
 */
@Injectable()
export class RetentionRepository {
  /**
   * Locks one batch of appeals closed before `closedBefore` and not erased yet; rows locked by another sweep are
   * skipped, so two sweeps never erase one appeal twice.
   */
  async lockClosedBatch(
    tx: Db,
    closedBefore: Date,
    limit: number,
  ): Promise<{ id: string; applicant_id: string }[]> {
    return queryRows(
      tx,
      `SELECT id, applicant_id FROM appeals
        WHERE personal_data_erased_at IS NULL AND status = ANY($1)
          AND COALESCE(closed_at, answered_at, updated_at) < $2
        ORDER BY COALESCE(closed_at, answered_at, updated_at), id
        LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [RETENTION_STATUSES, closedBefore, limit],
    );
  }

  /** The hashes of the appeals' files and their answers' files. */
  async fileHashes(tx: Db, ids: string[]): Promise<string[]> {
    const rows = await queryRows<{ sha256: string }>(
      tx,
      `SELECT sha256 FROM attachments WHERE appeal_id = ANY($1) AND sha256 IS NOT NULL
       UNION SELECT aa.sha256 FROM answer_attachments aa JOIN answers an ON an.id = aa.answer_id
        WHERE an.appeal_id = ANY($1)`,
      [ids],
    );
    return rows.map((r) => r.sha256);
  }

  /** The appeals, their applicants, answers, notes and files lose the personal data. */
  async eraseAppeals(tx: Db, ids: string[], applicantIds: string[], now: Date): Promise<void> {
    // The appeal: an anonymous applicant of its channel in place of the person, no text, subject or address.
    await tx.query(
      `WITH b AS MATERIALIZED (SELECT id, channel, gen_random_uuid() AS applicant_id FROM appeals WHERE id = ANY($1)),
            anon AS (INSERT INTO applicants (id, channel) SELECT applicant_id, channel FROM b)
       UPDATE appeals a
          SET applicant_id = b.applicant_id, subject = NULL, text = $2, address = NULL, reply_address = NULL,
              personal_data_erased_at = $3
         FROM b WHERE a.id = b.id`,
      [ids, PERSONAL_DATA_ERASED_TEXT_RU, now],
    );
    // The person stays only for a newer appeal still kept.
    await tx.query(
      `DELETE FROM applicants p WHERE p.id = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM appeals a WHERE a.applicant_id = p.id)`,
      [applicantIds],
    );
    await tx.query(`UPDATE answers SET text = $2 WHERE appeal_id = ANY($1)`, [
      ids,
      PERSONAL_DATA_ERASED_TEXT_RU,
    ]);
    await tx.query(`UPDATE ratings SET comment = NULL WHERE appeal_id = ANY($1) AND comment IS NOT NULL`, [
      ids,
    ]);
    await tx.query(`UPDATE appeal_notes SET text = $2 WHERE appeal_id = ANY($1)`, [
      ids,
      PERSONAL_DATA_ERASED_TEXT_RU,
    ]);
    await tx.query(
      `UPDATE attachments SET file_name = 'удалён', sha256 = NULL, remote_ref = NULL, status = 'rejected',
              rejection_reason = $2
        WHERE appeal_id = ANY($1)`,
      [ids, PERSONAL_DATA_ERASED_TEXT_RU],
    );
    await tx.query(
      `DELETE FROM answer_attachments WHERE answer_id IN (SELECT id FROM answers WHERE appeal_id = ANY($1))`,
      [ids],
    );
  }

  /** The history's copies of the citizen's words (a follow-up's text, a corrected subject) go; the rest stays. */
  async eraseHistory(tx: Db, ids: string[], retentionDays: number): Promise<void> {
    await tx.query(
      `UPDATE appeal_events SET data = appeal_event_data_without_personal_data(data)
        WHERE appeal_id = ANY($1) AND (data ? 'text' OR data ? 'subject')`,
      [ids],
    );
    await tx.query(
      `INSERT INTO appeal_events (appeal_id, type, data)
       SELECT id, 'personal-data-erased', jsonb_build_object('retentionDays', $2::int) FROM unnest($1::uuid[]) id`,
      [ids, retentionDays],
    );
  }
}
