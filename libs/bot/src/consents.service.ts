import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { rootLogger, rowsOf } from '@inbox/common';
import { InboundStore } from '@inbox/intake';
import { CONSENT_NOTICE_VERSION } from './texts';

/**
 * A messenger user's consent to personal-data processing (152-ФЗ) and the items held until it is given.
 * Consent and admission of the same author take one advisory lock, so an item is never left held next to a
 * consent that was recorded while it was being admitted; a sweep releases anything a crash left behind.
 */
@Injectable()
export class Consents {
  private readonly log = rootLogger.child('consents');

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: InboundStore,
  ) {}

  async has(channel: string, author: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM channel_consents WHERE channel = $1 AND author_external_id = $2`,
      [channel, author],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Records consent (with the notice version it answers) and sends the author's held items to registration. */
  async accept(channel: string, author: string): Promise<{ fresh: boolean; released: number }> {
    const { fresh, released } = await this.dataSource.transaction(async (tx) => {
      await lock(tx, channel, author);
      const inserted = (await tx.query(
        `INSERT INTO channel_consents (channel, author_external_id, notice_version) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [channel, author, CONSENT_NOTICE_VERSION],
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
    await this.store.enqueue(released);
    if (fresh) this.log.info('consent recorded', { channel, released: released.length });
    return { fresh, released: released.length };
  }

  /**
   * A gated item of an author: to registration when they have consented, else held until they do. Undefined
   * when the item is no longer gated (another admission got there first).
   */
  async admit(itemId: string, channel: string, author: string): Promise<'released' | 'held' | undefined> {
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
    if (!row) return undefined;
    if (row.status === 'pending') {
      await this.store.enqueue([itemId]);
      return 'released';
    }
    return 'held';
  }

  /** Held items whose author has consented meanwhile: released (normally the consent itself does it). */
  async releaseConsented(): Promise<number> {
    const ids = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE inbound_items i SET status = 'pending' WHERE i.status = 'awaiting-consent' AND EXISTS (
           SELECT 1 FROM channel_consents c WHERE c.channel = i.channel
              AND c.author_external_id = i.payload->'author'->>'externalId') RETURNING i.id`,
      ),
    ).map((r) => r.id);
    await this.store.enqueue(ids);
    return ids.length;
  }
}

async function lock(tx: EntityManager, channel: string, author: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`consent:${channel}:${author}`]);
}
