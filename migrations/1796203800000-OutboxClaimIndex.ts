import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 18: a consumer's claim (`AppealEventsOutbox.claim`: its pending rows due now, oldest first, a batch at a
 * time) had no index in its order. The planner took a BitmapAnd of every pending row due now, whatever its
 * consumer (`event_outbox_due_idx`), and every row of the consumer (`event_outbox_appeal_idx`), then sorted
 * the consumer's backlog for the batch's 200: in a burst ≈ 11 000 index entries and a sort of ≈ 550 rows a
 * claim, about a tenth of Postgres's CPU in `bench ingest` (perf on the bench's backends), and more the longer
 * the backlog of every consumer. This index holds a consumer's pending rows in the claim's order, so a claim
 * reads its batch and stops.
 */
export class OutboxClaimIndex1796203800000 implements MigrationInterface {
  name = 'OutboxClaimIndex1796203800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX event_outbox_claim_idx ON event_outbox (consumer, event_id) WHERE state = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX event_outbox_claim_idx`);
  }
}
