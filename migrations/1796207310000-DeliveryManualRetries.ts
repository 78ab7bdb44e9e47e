import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * How many times a person has sent a failed message again («Повторить»). With the automatic round (`retry_rounds`)
 * it names the message's current job (deliveryJobId): the delivery sweep, finding the message still queued, queues
 * it under that same id, so a job still to run keeps it and no second job runs beside it. The clerk's job had an id
 * of its own (the time of the click) the sweep could not know, and the sweep started a second run of the message.
 */
export class DeliveryManualRetries1796207310000 implements MigrationInterface {
  name = 'DeliveryManualRetries1796207310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbound_messages ADD COLUMN manual_retries integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbound_messages DROP COLUMN manual_retries`);
  }
}
