import { Role } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { OkFake, type SentOkMessage } from '../fakes/ok/ok-fake';
import { eventually, startTestStack, type TestStack } from '../support/test-stack';
import { answerAppeal } from './feed-helpers';

/**
 * Issue 13 for OK through the real api + worker and the local OK fake: a citizen's reply to the group's answer in
 * the chat joins the answered appeal as a follow-up, as Telegram and VK replies do.
 */
describe('OK threads (e2e)', () => {
  let fake: OkFake;
  let stack: TestStack;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let url = '';

  beforeAll(async () => {
    fake = await new OkFake().start();
    stack = await startTestStack({
      worker: true,
      env: {
        OK_ACCESS_TOKEN: fake.token,
        OK_WEBHOOK_SECRET: fake.webhookSecret,
        OK_API_BASE_URL: fake.apiBaseUrl,
      },
    });
    url = `${stack.baseUrl}/api/v1/webhooks/ok?secret=${encodeURIComponent(fake.webhookSecret)}`;
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
  });
  afterAll(async () => {
    await stack?.close();
    await fake?.stop();
  });

  const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);
  const textOf = (m: SentOkMessage) => String((m.body.message as { text?: string }).text ?? '');
  const sent = (chatId: string, match: (text: string) => boolean): Promise<SentOkMessage> =>
    eventually(async () => fake.messages.find((m) => m.chatId === chatId && match(textOf(m))));
  const say = async (chatId: string, userId: string, text: string, replyTo?: string) => {
    const body = fake.webhookMessage((b) => {
      b.sender.user_id = userId;
      b.recipient.chat_id = chatId;
      b.message.text = text;
      if (replyTo) b.message.reply_to = replyTo;
    });
    expect((await fake.postWebhook(url, body)).status).toBe(200);
  };
  const followUps = async (appealId: string): Promise<string[]> =>
    (
      await query(
        `SELECT data FROM appeal_events WHERE appeal_id = $1 AND type = 'follow-up-received' ORDER BY id`,
        [appealId],
      )
    ).map((r: { data: { text: string } }) => r.data.text);

  it("joins a citizen's reply to the group's answer to the answered appeal, not a new one", async () => {
    const chat = 'chat:C58bb0001';
    const user = 'user:581000000001';
    await say(chat, user, 'Согласен');
    await sent(chat, (t) => t.startsWith('Спасибо, согласие получено'));
    await say(chat, user, 'На ул. Ленина, 12 третий день не вывозят мусор.');
    const [appeal] = await eventually(async () => {
      const rows = await query(
        `SELECT a.id FROM appeals a JOIN applicants p ON p.id = a.applicant_id
          WHERE p.channel = 'ok' AND p.external_id = $1`,
        [user],
      );
      return rows.length ? rows : undefined;
    });
    const take = await fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}/take`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(take.status).toBe(204);
    const text = 'Мусор вывезен 13 марта, график восстановлен.';
    await answerAppeal(stack, appeal.id, operator, supervisor, text);
    const answer = await sent(chat, (t) => t === text);
    // Once delivered, the group's answer is a thread key of the appeal.
    await eventually(async () => {
      const keys = await query(`SELECT 1 FROM appeal_threads WHERE channel = 'ok' AND thread_key = $1`, [
        `sent:${chat}:${answer.messageId}`,
      ]);
      return keys.length ? true : undefined;
    });
    expect((await query(`SELECT status FROM appeals WHERE id = $1`, [appeal.id]))[0].status).toBe('answered');

    await say(chat, user, 'Сегодня мусор опять не вывезли.', answer.messageId);
    await eventually(async () =>
      (await followUps(appeal.id)).includes('Сегодня мусор опять не вывезли.') ? true : undefined,
    );
    const appeals = await query(
      `SELECT a.id, a.status FROM appeals a JOIN applicants p ON p.id = a.applicant_id
        WHERE p.channel = 'ok' AND p.external_id = $1`,
      [user],
    );
    expect(appeals).toEqual([{ id: appeal.id, status: 'answered' }]);
  });
});
