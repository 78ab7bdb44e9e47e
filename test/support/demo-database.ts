import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { JobName, JobProducer } from '@inbox/queue';
import { prepareDemoDatabase } from '../../apps/all-in-one/src/seed-demo';
import {
  ADMIN_DATABASE_URL,
  databaseUrl,
  flushQueuePrefix,
  TEMPLATE_DATABASE_ENV,
  TEST_REDIS_URL,
} from './services';
import { ensureTemplate } from './test-database';
import { type TestStack } from './test-stack';

/**
 * Tests only: the instant the demo seed takes for its present (ISO 8601, not after the real one), to replay a run
 * whose seed fell at that hour — which appeals the seed walks where depends on it. Unset: the present.
 */
const DEMO_SEED_AT_ENV = 'TEST_DEMO_SEED_AT';

function seedInstant(): Date {
  const at = process.env[DEMO_SEED_AT_ENV];
  if (!at) return new Date();
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime()) || instant.getTime() > Date.now())
    throw new Error(`${DEMO_SEED_AT_ENV}=${at}: an ISO 8601 instant in the past is expected`);
  return instant;
}

/** The run's demo-seeded template database and what the seed said on the start's log while making it. */
export interface DemoTemplate {
  name: string;
  log: string[];
}

let ready: DemoTemplate | undefined;

/**
 * The demo region as `npm start` seeds it (prepareDemoDatabase) over the run's template, made once per run by
 * whichever file needs it first (the others wait on the lock) and copied by each: the seed registers and walks
 * 400 appeals through the workflow, which took a file 2–3 minutes with its worker busy beside it.
 *
 * Per run, not cached across runs: the seed dates everything from the moment it runs (receipts over the past
 * month, terms by the working-day calendar, the knowledge base's review dates), and a shift of those dates
 * would not land on the same working days. A run's files start minutes after it, as a file starting late
 * found them before.
 *
 * The seed's log lines are kept as the template's comment (a copy carries none). What the seed left on its
 * queues (the answers' deliveries) is not in the copy: `queueDemoDeliveries` puts it on the stack's.
 */
export async function demoTemplate(): Promise<DemoTemplate> {
  if (ready) return ready;
  const template = process.env[TEMPLATE_DATABASE_ENV];
  if (!template)
    throw new Error(`the demo database is made from the run's template (${TEMPLATE_DATABASE_ENV})`);
  const demo = `${template}_demo`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [demo]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [demo]);
    if (exists.rowCount === 0) {
      await ensureTemplate(template);
      const building = `${demo}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building} TEMPLATE ${template}`);
      const log = await seedDemo(databaseUrl(building));
      await admin.query(`COMMENT ON DATABASE ${building} IS ${admin.escapeLiteral(JSON.stringify(log))}`);
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${demo}`);
    }
    const { rows } = await admin.query<{ log: string }>(
      `SELECT shobj_description(oid, 'pg_database') AS log FROM pg_database WHERE datname = $1`,
      [demo],
    );
    ready = { name: demo, log: JSON.parse(rows[0].log) as string[] };
    return ready;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [demo]).catch(() => undefined);
    await admin.end();
  }
}

/** The seed as `npm start` runs it (before any api or worker), on `url` and queues of its own, then flushed. */
async function seedDemo(url: string): Promise<string[]> {
  const prefix = `test-demo-${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const log: string[] = [];
  try {
    const at = seedInstant();
    if (process.env[DEMO_SEED_AT_ENV]) log.push(`demo seed as of ${at.toISOString()}`);
    await prepareDemoDatabase((line) => log.push(line), at);
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const redis = new Redis(TEST_REDIS_URL);
    await flushQueuePrefix(redis, prefix).finally(() => redis.quit());
  }
  return log;
}

/**
 * The answers' deliveries the seed queued (AppealChange.enqueueDelivery: one job per message, under its id, on
 * the common delivery queue), put on the stack's queues as the seed put them on its own.
 */
export async function queueDemoDeliveries(stack: TestStack): Promise<number> {
  const rows = (await stack.db.dataSource.query(
    `SELECT id FROM outbound_messages
      WHERE status = 'queued' AND delivery_state IS DISTINCT FROM 'awaiting-handover' ORDER BY created_at`,
  )) as { id: string }[];
  const jobs = stack.api.get(JobProducer, { strict: false });
  for (const { id } of rows)
    await jobs.add(JobName.DeliverOutboundMessage, { outboundMessageId: id }, { jobId: id });
  return rows.length;
}
