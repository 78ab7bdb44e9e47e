import Bull from 'bull';
import { Pool } from 'pg';

/**
 * The bare baseline: Bull jobs that each do one plain Postgres insert, with the same Redis, the same
 * Postgres and the same concurrency as the real worker. Nothing of ours runs here.
 */
async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  const queue = new Bull('baseline', process.env.REDIS_URL!, { prefix: process.env.QUEUE_PREFIX });
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 16);
  void queue.process('noop-insert', concurrency, async (job) => {
    await pool.query('INSERT INTO bench_baseline (n, enqueued_at) VALUES ($1, $2)', [
      job.data.n,
      job.data.at,
    ]);
  });
}

void main();
