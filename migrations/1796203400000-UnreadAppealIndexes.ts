import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: three indexes on `appeals` that no statement of the product reads, each kept up by every write of
 * an appeal's row (the registration's insert, the classification pass's update, a follow-up's touch: none of
 * them HOT, so each adds an entry to every index).
 *
 * - `appeals_org_status_idx (organisation_id, status)`: the scope is read from the parts
 *   (`appeal_organisations`, `part_organisation_ids`), the dashboard from the counts tables; nothing filters
 *   appeals by their responsible organisation.
 * - `appeals_channel_idx (channel, external_id)`: a channel's items are found in `inbound_items`; the inbox's
 *   channel filter walks the list's order index (eight channels, none rare).
 * - `appeals_topic_territory_idx (topic_id, territory_code)`: the learned routing reads its history from
 *   `routing_history_counts` (migration RoutingHistoryCounts); the topic filter is `topic_id OR subtopic_id`.
 *
 * Neither organisations nor topics are deleted, so no foreign-key check needs them either. Measured at
 * 200 000 appeals with `pg_stat_user_indexes` over a `bench scale` run and an `ingest` onto it: no scan of any
 * of them by the product (the bench's own fill queries excepted).
 */
export class UnreadAppealIndexes1796203400000 implements MigrationInterface {
  name = 'UnreadAppealIndexes1796203400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX appeals_org_status_idx, appeals_channel_idx, appeals_topic_territory_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX appeals_org_status_idx ON appeals (organisation_id, status);
      CREATE INDEX appeals_channel_idx ON appeals (channel, external_id);
      CREATE INDEX appeals_topic_territory_idx ON appeals (topic_id, territory_code) WHERE topic_id IS NOT NULL;
    `);
  }
}
