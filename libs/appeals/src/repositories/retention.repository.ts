import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '@inbox/common';

/** What the card shows in place of the citizen's text once the personal data is gone. */
export const PERSONAL_DATA_ERASED_TEXT_RU = 'Персональные данные удалены по истечении срока хранения';

/** Statuses in which an appeal is done with: its retention period runs from when it got there. */
export const RETENTION_STATUSES = ['closed', 'answered', 'redirected'] as const;

/**
 * Erasure of personal data after the retention period (issue 14). Kept for statistics: the appeal's number,
 * channel, regime, topic, organisations and their parts, dates, deadlines and clock marks, status, ratings,
 * classification and the history (ids, types, dates, field names). Erased: the applicant (the appeal gets
 * an anonymous applicant of its channel; the old one is deleted unless a newer appeal still uses it), the
 * text, subject, address and reply address, the answers' and outbound messages' texts, staff notes, the
 * files (names and bytes) and the raw inbound payloads of the appeal and its follow-ups.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Erases one batch of appeals closed before `closedBefore` and not erased yet; returns their ids. One
   * transaction; rows locked by another sweep are skipped, so two sweeps never erase one appeal twice.
   */
  async eraseBatch(closedBefore: Date, now: Date, limit: number, retentionDays: number): Promise<string[]> {
    return this.dataSource.transaction(async (tx) => {
      const batch = (await tx.query(
        `SELECT id, applicant_id FROM appeals
          WHERE personal_data_erased_at IS NULL AND status = ANY($1)
            AND COALESCE(closed_at, answered_at, updated_at) < $2
          ORDER BY COALESCE(closed_at, answered_at, updated_at), id
          LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [RETENTION_STATUSES, closedBefore, limit],
      )) as { id: string; applicant_id: string }[];
      if (batch.length === 0) return [];
      const ids = batch.map((r) => r.id);
      const applicantIds = [...new Set(batch.map((r) => r.applicant_id))];

      const shas = (await tx.query(
        `SELECT sha256 FROM attachments WHERE appeal_id = ANY($1) AND sha256 IS NOT NULL
         UNION SELECT aa.sha256 FROM answer_attachments aa JOIN answers an ON an.id = aa.answer_id
          WHERE an.appeal_id = ANY($1)`,
        [ids],
      )) as { sha256: string }[];

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
      await tx.query(`UPDATE appeal_cluster_keys SET address_key = NULL WHERE appeal_id = ANY($1)`, [ids]);
      await tx.query(`UPDATE answers SET text = $2 WHERE appeal_id = ANY($1)`, [
        ids,
        PERSONAL_DATA_ERASED_TEXT_RU,
      ]);
      await tx.query(`UPDATE outbound_messages SET text = $2, subject = NULL WHERE appeal_id = ANY($1)`, [
        ids,
        PERSONAL_DATA_ERASED_TEXT_RU,
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
      // A file's bytes are stored once by hash: they go when nothing else refers to them.
      await tx.query(
        `DELETE FROM attachment_contents c WHERE c.sha256 = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM attachments x WHERE x.sha256 = c.sha256)
            AND NOT EXISTS (SELECT 1 FROM answer_attachments x WHERE x.sha256 = c.sha256)
            AND NOT EXISTS (SELECT 1 FROM kb_attachments x WHERE x.sha256 = c.sha256)`,
        [shas.map((s) => s.sha256)],
      );
      // Raw payloads of the appeal and its follow-ups, whatever state they were left in.
      await tx.query(
        `UPDATE inbound_items i SET payload = inbound_payload_without_personal_data(i.payload)
          WHERE i.appeal_id = ANY($1) OR i.id IN (SELECT inbound_item_id FROM appeals WHERE id = ANY($1))`,
        [ids],
      );
      // The history's copies of the citizen's words (a follow-up's text, a corrected subject); the rest stays.
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
      return ids;
    });
  }

  /**
   * Erases the raw payloads of inbound items that never became an appeal (quarantined, or failed for good) and
   * the inputs no connector could read, older than `before`: what stays is the channel, the external id (so a
   * re-sent item is still known), the reason and the dates. Files only such payloads referred to go too.
   * Returns how many items and inputs it erased.
   */
  async eraseStaleInbound(before: Date, limit: number): Promise<{ items: number; inputs: number }> {
    return this.dataSource.transaction(async (tx) => {
      // An UPDATE answers [rows, count] through TypeORM: rowsOf takes the rows.
      const items = rowsOf<{ id: string; shas: string[] }>(
        await tx.query(
          `WITH stale AS (
           SELECT id, payload FROM inbound_items
            WHERE status IN ('quarantined', 'failed') AND appeal_id IS NULL
              AND NOT payload ? 'personalDataRemoved' AND COALESCE(processed_at, created_at) < $1
            ORDER BY COALESCE(processed_at, created_at), id LIMIT $2 FOR UPDATE SKIP LOCKED
         )
         UPDATE inbound_items i SET payload = inbound_payload_without_personal_data(i.payload)
           FROM stale WHERE i.id = stale.id
         RETURNING i.id, (SELECT coalesce(jsonb_agg(att->'sha256'), '[]'::jsonb)
                            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(stale.payload->'attachments') = 'array'
                                 THEN stale.payload->'attachments' ELSE '[]'::jsonb END) att
                           WHERE att ? 'sha256') AS shas`,
          [before, limit],
        ),
      );
      const shas = [...new Set(items.flatMap((i) => i.shas))];
      if (shas.length > 0) {
        // Bytes stored once by hash: kept while an appeal, an answer, the knowledge base or another item still
        // holding its personal data refers to them.
        await tx.query(
          `DELETE FROM attachment_contents c WHERE c.sha256 = ANY($1)
              AND NOT EXISTS (SELECT 1 FROM attachments x WHERE x.sha256 = c.sha256)
              AND NOT EXISTS (SELECT 1 FROM answer_attachments x WHERE x.sha256 = c.sha256)
              AND NOT EXISTS (SELECT 1 FROM kb_attachments x WHERE x.sha256 = c.sha256)
              AND NOT EXISTS (SELECT 1 FROM inbound_items x WHERE NOT x.payload ? 'personalDataRemoved'
                                AND x.payload->'attachments' @> jsonb_build_array(jsonb_build_object('sha256', c.sha256)))`,
          [shas],
        );
      }
      const inputs = rowsOf(
        await tx.query(
          `WITH stale AS (
           SELECT id FROM quarantined_inputs
            WHERE created_at < $1 AND raw IS NOT NULL AND NOT coalesce(raw ? 'personalDataRemoved', false)
            ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
         )
         UPDATE quarantined_inputs q SET raw = '{"personalDataRemoved": true}'::jsonb FROM stale
          WHERE q.id = stale.id RETURNING q.id`,
          [before, limit],
        ),
      );
      return { items: items.length, inputs: inputs.length };
    });
  }
}
