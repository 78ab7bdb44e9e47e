import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `quarantined_inputs.input_key`, unique per channel and account: what the channel names the input by (its
 * external id), else the hash of what it sent. A receipt the channel retried (a webhook answered late, a pull
 * repeated after a crash) was kept aside twice and counted twice; the insert now does nothing the second time.
 * Rows already doubled are folded into the first (the account's counter lowered by as many). Rows without an
 * external id whose raw input the retention sweep already erased keep a key of their own (their id): their
 * contents can no longer tell them apart.
 */
export class QuarantinedInputKey1796205300000 implements MigrationInterface {
  name = 'QuarantinedInputKey1796205300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE quarantined_inputs ADD COLUMN input_key text;
      UPDATE quarantined_inputs SET input_key = CASE
          WHEN external_id IS NOT NULL THEN external_id
          WHEN raw IS NOT NULL AND NOT coalesce(raw ? 'personalDataRemoved', false) THEN 'raw:' || md5(raw::text)
          ELSE 'row:' || id END;
      WITH doubled AS (
        DELETE FROM quarantined_inputs q
         WHERE EXISTS (SELECT 1 FROM quarantined_inputs f
                        WHERE f.channel = q.channel AND f.account_id IS NOT DISTINCT FROM q.account_id
                          AND f.input_key = q.input_key AND f.id < q.id)
        RETURNING account_id
      )
      UPDATE channel_accounts a SET items_quarantined = greatest(a.items_quarantined - d.n, 0)
        FROM (SELECT account_id, count(*) AS n FROM doubled WHERE account_id IS NOT NULL GROUP BY account_id) d
       WHERE a.id = d.account_id;
      ALTER TABLE quarantined_inputs ALTER COLUMN input_key SET NOT NULL;
      CREATE UNIQUE INDEX quarantined_inputs_input_key ON quarantined_inputs
        (channel, coalesce(account_id, '00000000-0000-0000-0000-000000000000'::uuid), input_key);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX quarantined_inputs_input_key;
      ALTER TABLE quarantined_inputs DROP COLUMN input_key;
    `);
  }
}
