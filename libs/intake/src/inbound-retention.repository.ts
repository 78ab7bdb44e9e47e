import { Injectable } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';

/**
 * Erasure of the personal data the intake tables keep (issue 14), in the retention sweep's transaction
 * (libs/retention): the raw payloads of `inbound_items` and the bytes in `attachment_contents` nothing refers
 * to any more.
 */
@Injectable()
export class InboundRetentionRepository extends SqlRepository {
  /** Raw payloads of the appeals and their follow-ups, whatever state they were left in. */
  async erasePayloadsOfAppeals(tx: Db, appealIds: string[]): Promise<void> {
    await this.rows(
      `UPDATE inbound_items i SET payload = inbound_payload_without_personal_data(i.payload)
        WHERE i.appeal_id = ANY($1) OR i.id IN (SELECT inbound_item_id FROM appeals WHERE id = ANY($1))`,
      [appealIds],
      tx,
    );
  }

  /**
   * Erases the raw payloads of a batch of inbound items that never became an appeal (quarantined, or failed for
   * good) older than `before`: what stays is the channel, the external id (so a re-sent item is still known),
   * the reason and the dates. Rows locked by another sweep are skipped. Returns each item with the hashes of
   * the files its payload referred to.
   */
  eraseStalePayloads(tx: Db, before: Date, limit: number): Promise<{ id: string; shas: string[] }[]> {
    return this.rows(
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
      tx,
    );
  }

  /**
   * A file's bytes are stored once by hash: they go when no appeal, answer or knowledge base article refers to
   * them — nor, with `keptForInbound`, another inbound item still holding its personal data.
   */
  async deleteUnreferencedContents(tx: Db, shas: string[], keptForInbound: boolean): Promise<void> {
    await this.rows(
      `DELETE FROM attachment_contents c WHERE c.sha256 = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM attachments x WHERE x.sha256 = c.sha256)
          AND NOT EXISTS (SELECT 1 FROM answer_attachments x WHERE x.sha256 = c.sha256)
          AND NOT EXISTS (SELECT 1 FROM kb_attachments x WHERE x.sha256 = c.sha256)${
            keptForInbound
              ? `
          AND NOT EXISTS (SELECT 1 FROM inbound_items x WHERE NOT x.payload ? 'personalDataRemoved'
                            AND x.payload->'attachments' @> jsonb_build_array(jsonb_build_object('sha256', c.sha256)))`
              : ''
          }`,
      [shas],
      tx,
    );
  }
}
