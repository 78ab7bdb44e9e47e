import { OkFake, type SentOkMessage } from '../fakes/ok/ok-fake';
import { refuseInserts } from '../support/database-faults';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';

/**
 * A command typed in a dialogue («Помощь», «Мои обращения», «Статус …» in VK and OK) is a message of its own,
 * which the bot consumes (never an appeal). It was consumed first and answered inline: with the database away for
 * a moment after that, the answer was never stored and the command was gone. It is kept until handled now
 * (deferred_inbound_events), as a typed rating and a typed consent are, and retried.
 */
describe('a typed bot command whose handling fails after it was consumed (integration)', () => {
  let fake: OkFake;
  let stack: TestStack;
  let url = '';
  const user = 'user:580000000077';
  const chat = 'chat:C58aa0077';

  beforeAll(async () => {
    fake = await new OkFake().start();
    stack = await startTestStack({
      worker: true,
      env: {
        OK_ACCESS_TOKEN: fake.token,
        OK_WEBHOOK_SECRET: fake.webhookSecret,
        OK_API_BASE_URL: fake.apiBaseUrl,
        OK_WEBHOOK_URL: 'https://inbox.region.test/api/v1/webhooks/ok',
      },
    });
    url = `${stack.baseUrl}/api/v1/webhooks/ok?secret=${encodeURIComponent(fake.webhookSecret)}`;
  });
  afterAll(async () => {
    await stack?.close();
    await fake?.stop();
  });

  const textOf = (m: SentOkMessage) => String((m.body.message as { text?: string }).text ?? '');
  const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);

  it('answers «Помощь» once the database takes the answer, though the message was consumed before', async () => {
    // The database refuses the bot's answer (as while Postgres restarts) until a moment after the bot has
    // consumed the typed command.
    const restore = await refuseInserts(stack.db.dataSource, 'bot_replies');
    try {
      const body = fake.webhookMessage((b) => {
        b.sender.user_id = user;
        b.sender.name = 'Мария Кузнецова';
        b.recipient.chat_id = chat;
        b.message.text = 'Помощь';
      });
      expect((await fake.postWebhook(url, body)).status).toBe(200);
      await eventually(async () => {
        const [item] = await query(`SELECT status FROM inbound_items WHERE channel = 'ok'`);
        return item?.status === 'dialogue' ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await restore();
    }
    const help = await eventually(
      async () => fake.messages.find((m) => m.chatId === chat && textOf(m).startsWith('Что умеет бот:')),
      30_000,
    );
    expect(textOf(help)).toContain('«Мои обращения»');
    // Consumed, never an appeal; answered once.
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.messages.filter((m) => m.chatId === chat)).toHaveLength(1);
    expect(await query(`SELECT count(*)::int AS n FROM appeals`)).toEqual([{ n: 0 }]);
    expect(await query(`SELECT count(*)::int AS n FROM deferred_inbound_events`)).toEqual([{ n: 0 }]);
  });
});
