import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '@inbox/common';

/**
 * channel_consents (152-ФЗ consent of a messenger user, with the notice version as its proof) and the items
 * held until it is given. Consent and admission of one author share one advisory lock.
 */
@Injectable()
export class ConsentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async has(channel: string, author: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM channel_consents WHERE channel = $1 AND author_external_id = $2`,
      [channel, author],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Records consent and releases the author's held items; returns whether it is this `source`'s (new, or recorded
   * by the same source before: its handling retried), what it released now, and how many of the author's messages
   * the same source had released before (a retry's).
   */
  async accept(
    channel: string,
    author: string,
    noticeVersion: string,
    source: string,
  ): Promise<{ fresh: boolean; released: string[]; releasedBefore: number }> {
    return this.dataSource.transaction(async (tx) => {
      await lock(tx, channel, author);
      const inserted = (await tx.query(
        `INSERT INTO channel_consents (channel, author_external_id, notice_version, source) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [channel, author, noticeVersion, source],
      )) as unknown[];
      if (inserted.length === 0) {
        // Recorded before: by this source (its handling retried), with the messages it released then, or not.
        const [again] = rowsOf<{ n: number }>(
          await tx.query(
            `SELECT (SELECT count(*)::int FROM inbound_items i WHERE i.channel = c.channel
                      AND i.payload->'author'->>'externalId' = c.author_external_id
                      AND i.created_at < c.accepted_at AND i.status IN ('pending', 'processed')) AS n
               FROM channel_consents c WHERE c.channel = $1 AND c.author_external_id = $2 AND c.source = $3`,
            [channel, author, source],
          ),
        );
        // Held items a crash left behind go now as well (normally nothing).
        const released = await releaseHeld(tx, channel, author);
        return { fresh: again !== undefined, released, releasedBefore: again?.n ?? 0 };
      }
      return { fresh: true, released: await releaseHeld(tx, channel, author), releasedBefore: 0 };
    });
  }

  /** Gated → pending when the author has consented, else → awaiting-consent; undefined if no longer gated. */
  async admit(
    itemId: string,
    channel: string,
    author: string,
  ): Promise<'pending' | 'awaiting-consent' | undefined> {
    const [row] = await this.dataSource.transaction(async (tx) => {
      await lock(tx, channel, author);
      return rowsOf<{ status: 'pending' | 'awaiting-consent' }>(
        await tx.query(
          `UPDATE inbound_items SET status = CASE WHEN EXISTS (SELECT 1 FROM channel_consents c
                   WHERE c.channel = $2 AND c.author_external_id = $3) THEN 'pending' ELSE 'awaiting-consent' END
            WHERE id = $1 AND status = 'gated' RETURNING status`,
          [itemId, channel, author],
        ),
      );
    });
    return row?.status;
  }

  /** Held items whose author has consented meanwhile → pending. */
  async releaseConsented(): Promise<string[]> {
    return rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE inbound_items i SET status = 'pending' WHERE i.status = 'awaiting-consent' AND EXISTS (
           SELECT 1 FROM channel_consents c WHERE c.channel = i.channel
              AND c.author_external_id = i.payload->'author'->>'externalId') RETURNING i.id`,
      ),
    ).map((r) => r.id);
  }
}

/** The author's held items → pending; their ids. */
async function releaseHeld(tx: EntityManager, channel: string, author: string): Promise<string[]> {
  return rowsOf<{ id: string }>(
    await tx.query(
      `UPDATE inbound_items SET status = 'pending' WHERE status = 'awaiting-consent' AND channel = $1
          AND payload->'author'->>'externalId' = $2 RETURNING id`,
      [channel, author],
    ),
  ).map((r) => r.id);
}

async function lock(tx: EntityManager, channel: string, author: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`consent:${channel}:${author}`]);
}
