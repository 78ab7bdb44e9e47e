import { type TelegramFake } from '../fakes/telegram/telegram-fake';
import { startTelegramStack, type TelegramStack } from '../support/telegram-stack';
import { eventually, type TestStack } from '../support/test-stack';

/**
 * Issue 15: what the bot says in the dialogue (the greeting with the consent request, acknowledgements) is not
 * dropped when Telegram is down longer than every attempt: the reply is failed for now and comes back by itself
 * with a growing wait (DELIVERY_RETRY_FAILED_MS, doubling), once; a chat that blocked the bot is not retried.
 */
describe('bot replies after a channel outage (e2e)', () => {
  let t: TelegramStack;
  let fake: TelegramFake;
  let stack: TestStack;

  beforeAll(async () => {
    t = await startTelegramStack({
      JOB_ATTEMPTS: '2',
      PENDING_SWEEP_MS: '1000',
      DELIVERY_RETRY_FAILED_MS: '1000',
    });
    ({ fake, stack } = t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const replyOf = async (chat: number) =>
    (
      (await stack.db.dataSource.query(
        `SELECT status, retry_rounds AS rounds, retry_at IS NOT NULL AS "comesBack", last_error AS "lastError"
           FROM bot_replies WHERE reply_address->>'chatId' = $1`,
        [String(chat)],
      )) as { status: string; rounds: number; comesBack: boolean; lastError: string | null }[]
    )[0];
  const greetings = (chat: number) => fake.sentTo(chat).filter((m) => m.text?.includes('152-ФЗ'));

  it('sends the consent request once Telegram is back, by itself and once', async () => {
    const chat = 700_100_001;
    fake.setScenario('server-error', { methods: ['sendMessage'], status: 502 });
    fake.enqueue(fake.textUpdate(chat, '/start'));
    const failed = await eventually(async () => {
      const row = await replyOf(chat);
      return row?.status === 'failed' ? row : undefined;
    }, 30_000);
    expect(failed).toMatchObject({ rounds: 0, comesBack: true });
    expect(greetings(chat)).toEqual([]);

    fake.setScenario('normal');
    await eventually(async () => (greetings(chat).length > 0 ? true : undefined), 30_000);
    await eventually(async () => ((await replyOf(chat))?.status === 'sent' ? true : undefined));
    expect(await replyOf(chat)).toMatchObject({ status: 'sent', rounds: 1, lastError: null });
    await new Promise((r) => setTimeout(r, 2500));
    expect(greetings(chat)).toHaveLength(1);
  });

  it('leaves a reply to a chat that blocked the bot failed, without coming back', async () => {
    const chat = 700_100_002;
    fake.blockChat(chat);
    fake.enqueue(fake.textUpdate(chat, '/start'));
    const failed = await eventually(async () => {
      const row = await replyOf(chat);
      return row?.status === 'failed' ? row : undefined;
    }, 30_000);
    expect(failed).toMatchObject({ rounds: 0, comesBack: false });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await replyOf(chat)).toMatchObject({ status: 'failed', rounds: 0 });
    expect(greetings(chat)).toEqual([]);
  });
});
