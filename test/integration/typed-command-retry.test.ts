import { refuseInserts } from '../support/database-faults';
import { okText, startOkStack, type OkStack } from '../support/ok-stack';
import { eventually } from '../support/test-stack';

/**
 * A command typed in a dialogue («Помощь», «Мои обращения», «Статус …» in VK and OK) is a message of its own,
 * which the bot consumes (never an appeal). It was consumed first and answered inline: with the database away for
 * a moment after that, the answer was never stored and the command was gone. It is kept until handled now
 * (deferred_inbound_events), as a typed rating and a typed consent are, and retried.
 */
describe('a typed bot command whose handling fails after it was consumed (integration)', () => {
  let ok: OkStack;
  const chat = 'chat:C58aa0077';

  beforeAll(async () => {
    ok = await startOkStack({ OK_WEBHOOK_URL: 'https://inbox.region.test/api/v1/webhooks/ok' });
  });
  afterAll(async () => {
    await ok?.close();
  });

  const query = (sql: string, params: unknown[] = []) => ok.stack.db.dataSource.query(sql, params);

  it('answers «Помощь» once the database takes the answer, though the message was consumed before', async () => {
    // The database refuses the bot's answer (as while Postgres restarts) until a moment after the bot has
    // consumed the typed command.
    const restore = await refuseInserts(ok.stack.db.dataSource, 'bot_replies');
    try {
      await ok.say(chat, 'user:580000000077', 'Помощь');
      await eventually(async () => {
        const [item] = await query(`SELECT status FROM inbound_items WHERE channel = 'ok'`);
        return item?.status === 'dialogue' ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await restore();
    }
    const help = await eventually(
      async () => ok.fake.messages.find((m) => m.chatId === chat && okText(m).startsWith('Что умеет бот:')),
      30_000,
    );
    expect(okText(help)).toContain('«Мои обращения»');
    // Consumed, never an appeal; answered once.
    await new Promise((r) => setTimeout(r, 1000));
    expect(ok.fake.messages.filter((m) => m.chatId === chat)).toHaveLength(1);
    expect(await query(`SELECT count(*)::int AS n FROM appeals`)).toEqual([{ n: 0 }]);
    expect(await query(`SELECT count(*)::int AS n FROM deferred_inbound_events`)).toEqual([{ n: 0 }]);
  });
});
