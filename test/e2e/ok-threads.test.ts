import { createHash } from 'node:crypto';
import { Role } from '@inbox/access';
import { signInAs, type SignedIn } from '../factories/staff';
import { type OkFake, type SentOkMessage } from '../fakes/ok/ok-fake';
import { okText as textOf, startOkStack, type OkStack } from '../support/ok-stack';
import { eventually, json, type TestStack } from '../support/test-stack';
import { answerAppeal, feedTools } from './feed-helpers';

/**
 * Issue 13 for OK through the real api + worker and the local OK fake: a citizen's reply to the group's answer in
 * the chat joins the answered appeal as a follow-up, as Telegram and VK replies do; the group's wall (R1) — a
 * citizen's topic and a comment under the group's news — becomes appeals, answered by a comment in the thread, and
 * the photos on them become the appeals' files.
 */
describe('OK threads (e2e)', () => {
  let ok: OkStack;
  let fake: OkFake;
  let stack: TestStack;
  let operator: SignedIn;
  let supervisor: SignedIn;
  let url = '';

  beforeAll(async () => {
    // The test pulls the wall itself.
    ok = await startOkStack((f) => ({ ...f.wallEnv(), OK_WALL_PULL_EVERY_MS: '600000' }));
    ({ fake, stack, url } = ok);
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
  });
  afterAll(async () => {
    await ok?.close();
  });

  const query = (sql: string, params: unknown[] = []) => stack.db.dataSource.query(sql, params);
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

  const appealOf = (externalId: string) => feedTools(stack).appeal('ok', externalId);

  it("registers a citizen's comment under the group's news without a consent dialogue and answers it in the thread", async () => {
    const news = fake.addTopic(
      `group:${fake.groupId}`,
      'С 17 марта начинается ремонт дорог на улицах Ленина и Гоголя. Вопросы — в комментариях.',
    );
    const comment = fake.addComment(news.id, {
      authorRef: 'user:580000000017',
      authorName: 'Пётр Иванов',
      text: 'А тротуар у дома 12 по Гоголя тоже починят? Там яма во всю ширину.',
    });
    expect(await feedTools(stack).pull('ok')).toMatchObject({ items: 1, quarantined: 0 });
    const appeal = await appealOf(`comment:${news.id}:${comment.id}`);
    const [row] = await query(
      `SELECT a.text, a.regime, p.external_id, p.display_name FROM appeals a
         JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1`,
      [appeal.id],
    );
    expect(row).toEqual({
      text: 'А тротуар у дома 12 по Гоголя тоже починят? Там яма во всю ширину.',
      regime: 'message',
      external_id: 'user:580000000017',
      display_name: 'Пётр Иванов',
    });
    // A public comment is no private dialogue: registered at once, no consent asked anywhere.
    expect(
      await query(`SELECT status FROM inbound_items WHERE channel = 'ok' AND external_id = $1`, [
        `comment:${news.id}:${comment.id}`,
      ]),
    ).toEqual([{ status: 'processed' }]);
    expect(fake.messages.filter((m) => textOf(m).includes('152-ФЗ'))).toEqual([]);
    // The group's news itself is no appeal, and a second pull brings nothing new.
    expect(await feedTools(stack).appealCount('ok', [`topic:${news.id}`])).toBe(0);
    expect(await feedTools(stack).pull('ok')).toMatchObject({ items: 0 });

    const take = await fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}/take`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(take.status).toBe(204);
    const text = 'Тротуар у дома 12 по ул. Гоголя включён в ремонт, работы — до 30 апреля.';
    await answerAppeal(stack, appeal.id, operator, supervisor, text);
    const answer = await eventually(async () => fake.posted.find((p) => p.text === text));
    // Under the same topic, as the group, a reply to the citizen's comment.
    expect(answer).toEqual({
      topicId: news.id,
      commentId: expect.any(String),
      text,
      asAdmin: true,
      replyToCommentId: comment.id,
    });
    // Our own comments are read back on the next pull and are not appeals.
    expect(await feedTools(stack).pull('ok')).toMatchObject({ items: 0 });

    // The citizen answers our comment: it joins the answered appeal.
    await eventually(async () => {
      const keys = await query(`SELECT 1 FROM appeal_threads WHERE channel = 'ok' AND thread_key = $1`, [
        `topic:${news.id}/comment:${answer.commentId}`,
      ]);
      return keys.length ? true : undefined;
    });
    fake.addComment(news.id, {
      authorRef: 'user:580000000017',
      text: 'Спасибо, будем ждать.',
      replyToCommentId: answer.commentId,
    });
    expect(await feedTools(stack).pull('ok')).toMatchObject({ items: 1 });
    await eventually(async () =>
      (await followUps(appeal.id)).includes('Спасибо, будем ждать.') ? true : undefined,
    );
    // A «👍» under our answer is a reaction: no message, nothing added to the appeal.
    fake.addComment(news.id, {
      authorRef: 'user:580000000017',
      text: '👍',
      replyToCommentId: answer.commentId,
    });
    expect(await feedTools(stack).pull('ok')).toMatchObject({ items: 0 });
    expect(await feedTools(stack).appealCount('ok')).toBe(2);
  });

  it("registers a citizen's own topic on the wall and answers it with a comment under it", async () => {
    const topic = fake.addTopic('user:577120034411', 'На ул. Заводской, 5 с понедельника нет горячей воды.');
    expect(await feedTools(stack).pull('ok')).toMatchObject({ items: 1 });
    const appeal = await appealOf(`topic:${topic.id}`);
    const take = await fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}/take`, {
      method: 'POST',
      headers: operator.headers,
    });
    expect(take.status).toBe(204);
    const text = 'Горячая вода подана 14 марта после ремонта на теплотрассе.';
    await answerAppeal(stack, appeal.id, operator, supervisor, text);
    expect(await eventually(async () => fake.posted.find((p) => p.text === text))).toEqual({
      topicId: topic.id,
      commentId: expect.any(String),
      text,
      asAdmin: true,
    });
  });

  it("keeps the photos of a citizen's topic and of a comment as the appeals' files, their bytes checked", async () => {
    const jpeg = (tail: string) => Buffer.from(`ffd8ffe000104a4649460001010000010001${tail}ffd9`, 'hex');
    const [pit, crack, yard] = [jpeg('0a0b'), jpeg('0c0d0e'), jpeg('0f')];
    const topic = fake.addTopic(
      'user:577120034412',
      'Во дворе дома 14 по ул. Мира оставили открытую траншею.',
      Date.now(),
      [fake.addFile('wall-pit.jpg', pit, 'image/jpeg'), fake.addFile('wall-crack.jpg', crack, 'image/jpeg')],
    );
    const news = fake.addTopic(`group:${fake.groupId}`, 'Благоустройство дворов: пишите, что нужно сделать.');
    const comment = fake.addComment(news.id, {
      authorRef: 'user:580000000018',
      authorName: 'Ольга Петрова',
      text: 'Во дворе дома 3 по ул. Лесной сломаны качели, фото ниже.',
      photoUrls: [fake.addFile('wall-yard.jpg', yard, 'image/jpeg')],
    });
    expect(await feedTools(stack).pull('ok')).toMatchObject({ items: 2, quarantined: 0 });
    const files = async (externalId: string) => {
      const appeal = await appealOf(externalId);
      return eventually(async () => {
        const card = (await json(
          fetch(`${stack.baseUrl}/api/v1/appeals/${appeal.id}`, { headers: supervisor.headers }),
        )) as { attachments: { status: string; contentType: string; size: number; sha256: string }[] };
        return card.attachments.length > 0 && card.attachments.every((a) => a.status === 'stored')
          ? card.attachments
          : undefined;
      });
    };
    const stored = (bytes: Buffer) =>
      expect.objectContaining({
        contentType: 'image/jpeg',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    expect(await files(`topic:${topic.id}`)).toEqual([stored(pit), stored(crack)]);
    expect(await files(`comment:${news.id}:${comment.id}`)).toEqual([stored(yard)]);
  });
});
