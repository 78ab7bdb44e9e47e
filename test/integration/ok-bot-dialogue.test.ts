import { Role } from '@inbox/access';
import { attachToAnswer, signInAs } from '../factories/staff';
import { refuseDeletes, refuseInserts } from '../support/database-faults';
import { restoreEnvironmentAfterBlock } from '../support/folded-files';
import { type OkStack, okText, startOkStack } from '../support/ok-stack';
import { eventually, json } from '../support/test-stack';

/*
 * Two files folded into one (consent-reminder-clock and bot-dialogue-retry): jest loads the api's and the
 * worker's modules once for them, not twice. Each describe block keeps its own stack, context or database, and
 * gets the environment back as it was when it ends.
 */

/** How far this process's clock (the api's and the worker's, in this test) runs ahead of the database's. */
const AHEAD_MS = 10 * 60_000;

/**
 * A citizen who has not consented and writes several messages in a row is asked for consent once a minute at
 * most. The minute was measured from the worker's clock against the database's stamps (bot_replies.created_at):
 * a worker whose clock ran ahead asked again at every message, one behind did not ask for as long as it lagged.
 * It is the database's clock now, as for the clock sweeps.
 */
describe('the consent reminder interval on a worker whose clock is off (integration)', () => {
  restoreEnvironmentAfterBlock();
  let ok: OkStack;
  const chat = 'chat:C58aa0088';

  beforeAll(async () => {
    ok = await startOkStack();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await ok?.close();
  });

  const say = (text: string) => ok.say(chat, 'user:580000000088', text);
  const held = async (n: number) =>
    eventually(async () => {
      const rows = (await ok.stack.db.dataSource.query(
        `SELECT 1 FROM inbound_items WHERE channel = 'ok' AND status = 'awaiting-consent'`,
      )) as unknown[];
      return rows.length === n ? true : undefined;
    });

  it('asks once for three messages in a row, though the worker clock runs ten minutes ahead', async () => {
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + AHEAD_MS);
    await say('Во дворе дома 5 по ул. Ленина не вывозят мусор.');
    await held(1);
    await eventually(async () =>
      ok.fake.messages.find((m) => m.chatId === chat && okText(m).startsWith('Ваше сообщение получено')),
    );
    await say('Уже неделю.');
    await held(2);
    await say('Контейнеры переполнены.');
    await held(3);
    await new Promise((r) => setTimeout(r, 2000));
    const requests = await ok.stack.db.dataSource.query(
      `SELECT count(*)::int AS n FROM bot_replies WHERE purpose = 'consent-request'`,
    );
    expect(requests).toEqual([{ n: 1 }]);
    expect(ok.fake.messages.filter((m) => m.chatId === chat)).toHaveLength(1);
  });
});

/**
 * The bot's dialogue when the database fails mid-way (as while Postgres restarts): nothing the citizen sent is
 * left unanswered.
 *
 * A command typed in a dialogue («Помощь», «Мои обращения», «Статус …» in VK and OK) is a message of its own,
 * which the bot consumes (never an appeal). It was consumed first and answered inline: with the database away for
 * a moment after that, the answer was never stored and the command was gone. It is kept until handled now
 * (deferred_inbound_events), as a typed rating and a typed consent are, and retried.
 */
describe('the bot dialogue, and an answer, when the database fails mid-way (integration)', () => {
  restoreEnvironmentAfterBlock();
  let ok: OkStack;
  const chat = 'chat:C58aa0077';

  beforeAll(async () => {
    // A claim without an outcome is taken over after twice the job lock's time (4 s here).
    ok = await startOkStack({
      OK_WEBHOOK_URL: 'https://inbox.region.test/api/v1/webhooks/ok',
      QUEUE_LOCK_MS: '2000',
    });
  });
  afterAll(async () => {
    await ok?.close();
  });

  const query = (sql: string, params: unknown[] = []) => ok.stack.db.dataSource.query(sql, params);

  /**
   * `text` typed by the citizen in `chatId` while the database refuses the bot's answer (as while Postgres
   * restarts), and what else `refuse` breaks, until a moment after the bot has consumed it; then the help, once.
   */
  const helpWhileRefused = async (chatId: string, refuse: () => Promise<() => Promise<void>>) => {
    const restore = await refuse();
    try {
      await ok.say(chatId, `user:${chatId.slice(-6)}`, 'Помощь');
      await eventually(async () => {
        const [item] = await query(
          `SELECT status FROM inbound_items WHERE channel = 'ok' AND payload->'replyAddress'->>'chatId' = $1`,
          [chatId],
        );
        return item?.status === 'dialogue' ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await restore();
    }
    const help = await eventually(
      async () => ok.fake.messages.find((m) => m.chatId === chatId && okText(m).startsWith('Что умеет бот:')),
      30_000,
    );
    expect(okText(help)).toContain('«Мои обращения»');
    // Consumed, never an appeal; answered once; nothing left.
    await new Promise((r) => setTimeout(r, 1000));
    expect(ok.fake.messages.filter((m) => m.chatId === chatId)).toHaveLength(1);
    expect(await query(`SELECT count(*)::int AS n FROM appeals`)).toEqual([{ n: 0 }]);
    expect(await query(`SELECT count(*)::int AS n FROM deferred_inbound_events`)).toEqual([{ n: 0 }]);
  };

  it('answers «Помощь» once the database takes the answer, though the message was consumed before', async () => {
    await helpWhileRefused(chat, () => refuseInserts(ok.stack.db.dataSource, 'bot_replies'));
  });

  it('answers it when the failed handler could not let go of its claim either (the database away for both)', async () => {
    // The claim then outlived its handler, as after a kill -9 mid-way: every retry skipped the event as seen,
    // and its kept copy was deleted. A claim without an outcome is taken over once its lease has run out.
    await helpWhileRefused('chat:C58aa0078', async () => {
      const inserts = await refuseInserts(ok.stack.db.dataSource, 'bot_replies');
      const deletes = await refuseDeletes(ok.stack.db.dataSource, 'inbound_events');
      return async () => {
        await deletes();
        await inserts();
      };
    });
    expect(
      await query(`SELECT outcome FROM inbound_events WHERE external_id LIKE 'item:%' ORDER BY outcome`),
    ).toEqual([{ outcome: 'handled' }, { outcome: 'handled' }]);
  });

  it('thanks for a typed consent whose reply failed once it was recorded, never «уже получено»', async () => {
    // The consent was stored, its reply refused (the database away): the retry found the consent there and told
    // the citizen it had been given already, as if by someone else; they never heard it was taken.
    const consenting = 'chat:C58aa0080';
    const userId = 'user:580000000080';
    await ok.say(consenting, userId, 'Во дворе дома 9 по ул. Мира не вывозят мусор.');
    await eventually(async () =>
      ok.fake.messages.find(
        (m) => m.chatId === consenting && okText(m).startsWith('Ваше сообщение получено'),
      ),
    );
    const restore = await refuseInserts(ok.stack.db.dataSource, 'bot_replies');
    try {
      await ok.say(consenting, userId, 'Согласен');
      await eventually(async () => {
        const rows = await query(
          `SELECT 1 FROM channel_consents WHERE channel = 'ok' AND author_external_id = $1`,
          [userId],
        );
        return rows.length ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await restore();
    }
    const thanks = await eventually(
      async () =>
        ok.fake.messages.find(
          (m) => m.chatId === consenting && okText(m).startsWith('Спасибо, согласие получено'),
        ),
      30_000,
    );
    expect(okText(thanks)).toContain('Сообщения, отправленные вами раньше');
    await new Promise((r) => setTimeout(r, 1000));
    expect(ok.fake.messages.filter((m) => m.chatId === consenting).map(okText)).not.toContainEqual(
      expect.stringContaining('уже получено'),
    );
    expect(
      ok.fake.messages.filter((m) => m.chatId === consenting && okText(m).startsWith('Спасибо, согласие')),
    ).toHaveLength(1);
  });

  it('asks a citizen who has not consented for it, though the request failed when their message came', async () => {
    // The request used to be written after the message was held: held, it was no longer the admission's, and a
    // request that failed then was never retried — the message waited for a consent nobody had asked for.
    const other = 'chat:C58aa0079';
    const restore = await refuseInserts(ok.stack.db.dataSource, 'bot_replies');
    try {
      await ok.say(other, 'user:580000000079', 'Во дворе дома 7 по ул. Мира третий день нет света.');
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await restore();
    }
    const request = await eventually(
      async () =>
        ok.fake.messages.find((m) => m.chatId === other && okText(m).startsWith('Ваше сообщение получено')),
      30_000,
    );
    expect(okText(request)).toContain('152-ФЗ');
    const [item] = await query(
      `SELECT status FROM inbound_items WHERE channel = 'ok' AND payload->'replyAddress'->>'chatId' = $1`,
      [other],
    );
    expect(item).toEqual({ status: 'awaiting-consent' });
    expect(ok.fake.messages.filter((m) => m.chatId === other)).toHaveLength(1);
  });

  /**
   * OK carries no files: an answer with files goes as its text and a personal link to them, and its `delivered` event
   * says so for the card. OK took the answer, and the database refused the receipt for longer than the sender waits:
   * the receipt was kept in Redis, and a later attempt stored it instead of sending again — without the note, as the
   * link was that first attempt's (the card said nothing of the files).
   */
  it('an answer with files whose receipt waited out the database still says the files went as a link', async () => {
    const { stack, fake } = ok;
    const chatId = 'chat:C58aa0070';
    const userId = 'user:580000000070';
    await ok.say(chatId, userId, 'У дома 4 по ул. Садовой открыт колодец, рядом школа.');
    await eventually(async () =>
      fake.messages.find((m) => m.chatId === chatId && okText(m).startsWith('Ваше сообщение получено')),
    );
    await ok.say(chatId, userId, 'Согласен');
    const [{ id: appealId }] = await eventually(async () => {
      const rows = (await query(
        `SELECT id FROM appeals WHERE channel = 'ok' AND reply_address->>'chatId' = $1`,
        [chatId],
      )) as { id: string }[];
      return rows.length ? rows : undefined;
    });
    const operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    const supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
    const post = (path: string, who: typeof operator, body: unknown = {}) =>
      fetch(`${stack.baseUrl}/api/v1/appeals/${appealId}${path}`, {
        method: 'POST',
        headers: who.headers,
        body: JSON.stringify(body),
      });
    expect((await post('/take', operator)).status).toBe(204);
    const answerText = 'Колодец закрыт крышкой, акт осмотра во вложении.';
    const draft = await json(post('/answers', operator, { text: answerText }));
    const pdf = { name: 'Акт.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n'), type: 'application/pdf' };
    expect(await attachToAnswer(stack.baseUrl, operator, appealId, draft.id, pdf)).toBe(201);
    expect((await post(`/answers/${draft.id}/approve`, supervisor)).status).toBe(204);
    // OK answers the send after a moment: the database goes away (it refuses the receipt's event) before then.
    fake.setScenario('slow', { only: 'messages', delayMs: 1500, times: 1 });
    expect((await post(`/answers/${draft.id}/send`, operator)).status).toBe(204);
    const restore = await refuseInserts(stack.db.dataSource, 'appeal_events');
    try {
      await eventually(async () =>
        fake.messages.find((m) => m.chatId === chatId && okText(m).startsWith(answerText)),
      );
      // Longer than the sender waits for the database (a job lock's time): the receipt is left to a later attempt.
      await new Promise((r) => setTimeout(r, 3 * 2000));
    } finally {
      await restore();
    }
    const [delivered] = await eventually(async () => {
      const rows = (await query(
        `SELECT e.data FROM appeal_events e JOIN outbound_messages m ON m.id::text = e.data->>'outboundMessageId'
          WHERE e.appeal_id = $1 AND e.type = 'delivered' AND m.kind = 'answer'`,
        [appealId],
      )) as { data: Record<string, unknown> }[];
      return rows.length ? rows : undefined;
    }, 30_000);
    expect(delivered.data.filesAsLink).toEqual({ files: ['Акт.pdf'], until: expect.any(String) });
    // Sent once: the later attempt stored the receipt kept meanwhile.
    expect(fake.messages.filter((m) => m.chatId === chatId && okText(m).startsWith(answerText))).toHaveLength(
      1,
    );
  });
});
