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

  /** Records consent and releases the author's held items; returns whether it is new and what it released. */
  async accept(
    channel: string,
    author: string,
    noticeVersion: string,
  ): Promise<{ fresh: boolean; released: string[] }> {
    return this.dataSource.transaction(async (tx) => {
      await lock(tx, channel, author);
      const inserted = (await tx.query(
        `INSERT INTO channel_consents (channel, author_external_id, notice_version) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [channel, author, noticeVersion],
      )) as unknown[];
      const ids = rowsOf<{ id: string }>(
        await tx.query(
          `UPDATE inbound_items SET status = 'pending' WHERE status = 'awaiting-consent' AND channel = $1
              AND payload->'author'->>'externalId' = $2 RETURNING id`,
          [channel, author],
        ),
      ).map((r) => r.id);
      return { fresh: inserted.length > 0, released: ids };
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

async function lock(tx: EntityManager, channel: string, author: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`consent:${channel}:${author}`]);
}
