import Bull from 'bull';
import { Pool } from 'pg';

/**
 * The fair bound (issue 18): bare Bull jobs of as many items as the pipeline's batches, each one multi-row
 * INSERT of appeal-shaped rows into a copy of the appeals table (its columns, defaults, checks and indexes,
 * the full-text and trigram ones included), with the same Redis, Postgres and concurrency as the real
 * worker. Nothing of ours runs here: it is what the stack gives without the product.
 */
async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  const queue = new Bull('fair-bound', process.env.REDIS_URL!, { prefix: process.env.QUEUE_PREFIX });
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 16);
  void queue.process('insert-batch', concurrency, async (job) => {
    await pool.query(
      `INSERT INTO bench_fair (registration_number, registered_at, received_at, regime, channel, external_id,
              inbound_item_id, applicant_id, subject, text, address, territory_code, status, organisation_id,
              time_zone, registration_due_at, redirect_due_at, answer_due_date, answer_due_at, calendar_version,
              access_code_hash, enqueued_at)
       SELECT 'B-' || x.n, now(), x.received_at, x.regime, x.channel, x.external_id, gen_random_uuid(),
              gen_random_uuid(), x.subject, x.text, x.address, x.territory_code, 'registered', gen_random_uuid(),
              'Asia/Novosibirsk', now() + interval '3 days', now() + interval '7 days',
              (now() + interval '30 days')::date, now() + interval '30 days', 'bench', md5(x.external_id),
              $2::timestamptz
         FROM json_to_recordset($1::json) AS x(n int, received_at timestamptz, regime text, channel text,
              external_id text, subject text, text text, address text, territory_code text)`,
      [JSON.stringify(job.data.items), job.data.at],
    );
  });
}

void main();
