import Redis from 'ioredis';
import { Client } from 'pg';
import { CONSENT_NOTICE_VERSION } from '@inbox/bot';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';
import { ADMIN_DATABASE_URL, TEST_REDIS_URL } from '../support/services';

const REGISTERED = 'Обращение зарегистрировано';
const LOCK_MS = 2000;

/**
 * Telegram has accepted a notice, and the database goes away before its receipt is written — for longer than the
 * sender waits and than its claim on the message lasts. A messenger has no idempotency key: the retry after the
 * outage must store the kept receipt, not send the citizen the notice a second time (the fault suite's
 * «Postgres restarted mid-ingest» found such a second notice).
 */
describe('a Telegram notice accepted while the database goes away (e2e)', () => {
  let fake: TelegramFake;
  let stack: TestStack;
  let admin: Client;
  const dbName = () => new URL(stack.db.url).pathname.slice(1);

  beforeAll(async () => {
    fake = await TelegramFake.start();
    stack = await startTestStack({
      worker: true,
      env: {
        ...fake.pollingEnv(),
        // The sender waits this long for the database, and its claim lasts twice that.
        QUEUE_LOCK_MS: String(LOCK_MS),
      },
    });
    admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.end();
    await stack?.close();
    await fake?.stop();
  });

  /** No new connection to the stack's database, and every open one cut: the database is away for the app. */
  async function databaseAway(ms: number): Promise<{ back: Promise<void> }> {
    const db = dbName();
    await admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [db],
    );
    // Wrapped: an async function returning the promise itself would wait for the end of the outage.
    const back = new Promise<void>((resolve, reject) =>
      setTimeout(
        () => void admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`).then(() => resolve(), reject),
        ms,
      ),
    );
    return { back };
  }

  it('sends the registration notice once and stores its receipt after the outage', async () => {
    const chat = 700_300_001;
    await stack.db.dataSource.query(
      `INSERT INTO channel_consents (channel, author_external_id, notice_version) VALUES ('telegram', $1, $2)`,
      [String(chat), CONSENT_NOTICE_VERSION],
    );
    let back: Promise<void> | undefined;
    fake.beforeAnswering = async (method, params) => {
      const text = typeof params.text === 'string' ? params.text : '';
      if (back || method !== 'sendMessage' || String(params.chat_id) !== String(chat)) return;
      if (!text.startsWith(REGISTERED)) return;
      // Longer than the sender's wait and its claim together: without the kept receipt, the message is sent again.
      ({ back } = await databaseAway(3 * LOCK_MS));
    };
    fake.enqueue(fake.textUpdate(chat, 'Во дворе дома 5 по улице Ленина третью неделю не вывозят мусор.'));

    await eventually(async () => (back ? true : undefined), 60_000);
    await back;
    const notice = await eventually(async () => {
      const [row] = (await stack.db.dataSource.query(
        `SELECT m.status, m.remote_id FROM outbound_messages m
           JOIN inbound_items i ON i.appeal_id = m.appeal_id
          WHERE i.channel = 'telegram' AND m.kind = 'registration-notice' AND i.external_id LIKE $1`,
        [`${chat}:%`],
      )) as { status: string; remote_id: string | null }[];
      return row?.status === 'sent' ? row : undefined;
    }, 60_000);
    // A moment more: a second send would show now.
    await new Promise((r) => setTimeout(r, 2 * LOCK_MS));

    const notices = fake.sentTo(chat).filter((m) => m.text?.startsWith(REGISTERED));
    expect(notices).toHaveLength(1);
    // The row holds the receipt of the one send Telegram accepted.
    expect(notice.remote_id).toBe(String(notices[0].messageId));
    // The receipt kept meanwhile is gone once the row holds it.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${stack.env.QUEUE_PREFIX}:kept-receipt:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 180_000);
});
