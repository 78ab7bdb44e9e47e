import {
  ArticleKind,
  normaliseArticle,
  KnowledgeRepository,
  reviewDueAt,
  type ArticleContent,
} from '@inbox/knowledge';
import { idOf, TEST_WORKING_HOURS } from '../factories/directory';
import { TelegramFake } from '../fakes/telegram/telegram-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';

/**
 * Issue 16, "published to citizens where the organisation allows": the FAQ on the public pages' API and as the
 * bot's /faq command (the real worker and the local Bot API fake). Another organisation's FAQ, not allowed for
 * citizens, and internal material never show.
 */
describe('knowledge base: the public FAQ (e2e)', () => {
  let fake: TelegramFake;
  let stack: TestStack;
  const chat = 700_000_777;

  beforeAll(async () => {
    fake = await TelegramFake.start();
    stack = await startTestStack({
      worker: true,
      env: {
        ...fake.pollingEnv(),
      },
    });
    const ds = stack.db.dataSource;
    const repo = new KnowledgeRepository(ds);
    const now = new Date();
    const article = async (
      org: string,
      content: Partial<ArticleContent> & { kind: ArticleKind; title: string; body: string },
    ) => {
      const organisationId = await idOf(ds, 'organisations', org);
      const sectionId =
        (await repo.sectionByTitle(organisationId, 'Общие вопросы')) ??
        (await repo.insertSection({
          organisationId,
          topicId: null,
          title: 'Общие вопросы',
          description: null,
          responsibleUserId: null,
          createdAt: now,
          lastReviewedAt: now,
          reviewDueAt: reviewDueAt(now, { timeZone: 'Asia/Novosibirsk', workingHours: TEST_WORKING_HOURS }),
        }));
      await repo.insertArticle({
        sectionId,
        organisationId,
        content: normaliseArticle(content) as ArticleContent,
        publishedAt: now,
        publishedBy: null,
        changeRequestId: null,
      });
    };
    await repo.saveSettings(await idOf(ds, 'organisations', 'minzhkh'), { publicFaq: true });
    await repo.saveSettings(await idOf(ds, 'organisations', 'mintrans'), { publicFaq: false });
    await article('minzhkh', {
      kind: ArticleKind.Faq,
      title: 'Когда начинается отопительный сезон',
      question: 'Когда включат отопление?',
      body: 'Отопление включают после пяти дней со среднесуточной температурой ниже +8 °C.',
      keywords: ['отопление', 'батареи'],
      public: true,
    });
    await article('minzhkh', {
      kind: ArticleKind.CallScript,
      title: 'Авария: отопление (для операторов)',
      body: 'Внутренний скрипт оператора: уточнить адрес, отопление, соединить с ЕДДС.',
    });
    await article('mintrans', {
      kind: ArticleKind.Faq,
      title: 'Ремонт ям на дорогах',
      question: 'Когда отремонтируют яму на дороге?',
      body: 'Ямы устраняют в сроки ГОСТ Р 50597-2017 в зависимости от категории дороги.',
      public: true,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await fake?.stop();
  });

  it('lists and searches only what organisations published for citizens', async () => {
    const list = await json(fetch(`${stack.baseUrl}/api/v1/public/faq`));
    expect(list.map((e: { question: string }) => e.question)).toEqual(['Когда включат отопление?']);
    const found = await json(
      fetch(`${stack.baseUrl}/api/v1/public/faq/search?q=${encodeURIComponent('когда дадут отопление')}`),
    );
    expect(found).toEqual([
      expect.objectContaining({
        question: 'Когда включат отопление?',
        organisationName: 'Министерство ЖКХ и энергетики',
      }),
    ]);
    expect(
      await json(fetch(`${stack.baseUrl}/api/v1/public/faq/search?q=${encodeURIComponent('яма на дороге')}`)),
    ).toEqual([]);
    expect((await fetch(`${stack.baseUrl}/api/v1/public/faq/search?q=a`)).status).toBe(400);
    const page = await fetch(`${stack.baseUrl}/faq.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Частые вопросы');
  });

  it('answers /faq in the bot from the public FAQ, and says so when there is no answer', async () => {
    await eventually(async () => (fake.callsOf('deleteWebhook').length > 0 ? true : undefined));
    fake.enqueue(fake.textUpdate(chat, '/faq когда включат отопление?'));
    const answer = await eventually(async () =>
      fake.sentTo(chat).find((m) => m.text?.startsWith('Частый вопрос')),
    );
    expect(answer.text).toContain('после пяти дней');
    expect(answer.text).toContain('Отвечает: Министерство ЖКХ и энергетики.');

    fake.enqueue(fake.textUpdate(chat, '/faq яма на дороге'));
    await eventually(async () => fake.sentTo(chat).find((m) => m.text?.startsWith('Готового ответа')));
    fake.enqueue(fake.textUpdate(chat, '/faq'));
    await eventually(async () =>
      fake.sentTo(chat).find((m) => m.text?.startsWith('Напишите вопрос после команды')),
    );
    // A command is never an appeal.
    expect(await stack.db.dataSource.query(`SELECT id FROM appeals WHERE channel = 'telegram'`)).toEqual([]);
  });
});
