import { Role } from '@inbox/access';
import { FeedActions } from '@inbox/feeds';
import { idOf } from '../factories/directory';
import { signInAs, type SignedIn } from '../factories/staff';
import { type SmtpReceiver, startSmtpReceiver } from '../fakes/email/smtp-receiver';
import { WebsiteFeedFake } from '../fakes/website-feed/website-feed-fake';
import { eventually, json, startTestStack, type TestStack } from '../support/test-stack';
import {
  answerAppeal,
  expectedDueDate,
  FEED_SETTINGS,
  feedTools,
  mailHeader,
  answerAndRatingLinks,
  readMail,
} from './feed-helpers';

/**
 * Issue 5, an external reception site's feed end to end: configured by WEBSITE_FEED_URL/_SETTINGS/_TOKEN,
 * pulled by the puller into 59-ФЗ appeals, answered by e-mail (the site has no way back); an item without
 * a text is quarantined with the reason while the rest of the page registers, and nothing registers twice.
 */
describe('external website feed (e2e)', () => {
  let site: WebsiteFeedFake;
  let smtp: SmtpReceiver;
  let stack: TestStack;
  let tools: ReturnType<typeof feedTools>;
  let operator: SignedIn;
  let roadsClerk: SignedIn;
  let roadsColleague: SignedIn;
  let supervisor: SignedIn;

  beforeAll(async () => {
    site = new WebsiteFeedFake();
    site.token = 'site-feed-token';
    await site.start();
    smtp = await startSmtpReceiver();
    stack = await startTestStack({
      worker: true,
      env: {
        WEBSITE_FEED_URL: site.url,
        WEBSITE_FEED_SETTINGS: JSON.stringify(FEED_SETTINGS()),
        WEBSITE_FEED_TOKEN: 'site-feed-token',
        // Answers to site appeals go by e-mail; this mailbox is never read here.
        EMAIL_IMAP_HOST: '127.0.0.1',
        EMAIL_IMAP_PORT: '1',
        EMAIL_IMAP_USER: 'inbox',
        EMAIL_IMAP_PASSWORD: 'unused',
        EMAIL_SMTP_HOST: smtp.host,
        EMAIL_SMTP_PORT: String(smtp.port),
        EMAIL_SMTP_SECURE: 'false',
        EMAIL_FROM_ADDRESS: 'obrashcheniya@region.test',
        EMAIL_PULL_EVERY_MS: '3600000',
      },
    });
    tools = feedTools(stack);
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    roadsClerk = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'mintrans');
    roadsColleague = await signInAs(stack.api, stack.baseUrl, Role.Clerk, 'mintrans');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'region');
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([site?.stop(), smtp?.stop()]);
  });

  const card = (id: string) =>
    json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));

  it('registers a site appeal, escalates it, and answers the citizen by e-mail', async () => {
    const item = site.addItem();
    const report = await tools.pull('website-feed');
    expect(report).toMatchObject({ items: 1, quarantined: 0 });
    // The site was asked with our token and from the start of its feed.
    expect(site.requests.at(-1)!.headers.authorization).toBe('Bearer site-feed-token');

    const { id, registrationNumber } = await tools.appeal('website', `feed:governor-nso:${item.id}`);
    const c = await card(id);
    expect(c).toMatchObject({
      regime: 'appeal',
      channel: 'website',
      subject: 'Благоустройство',
      address: 'г. Новосибирск, остановка «Площадь Калинина»',
      applicant: {
        surname: 'Иванов',
        firstName: 'Сергей',
        patronymic: 'Андреевич',
        email: 's.ivanov@example.ru',
        phone: '+7 913 555-12-34',
      },
    });
    expect(c.answerDueDate).toBe(expectedDueDate(c.registeredAt, 30));

    const ds = stack.db.dataSource;
    const escalated = await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/escalate`, {
      method: 'POST',
      headers: operator.headers,
      body: JSON.stringify({
        organisationIds: [await idOf(ds, 'organisations', 'mintrans')],
        topicId: await idOf(ds, 'topics', 'roads'),
      }),
    });
    expect(escalated.status).toBe(204);
    const text = 'Ремонт тротуара у остановки «Площадь Калинина» включён в план работ на декабрь.';
    await answerAppeal(stack, id, roadsClerk, roadsColleague, text);

    const mail = await eventually(async () =>
      smtp.accepted().find((m) => m.to.includes('s.ivanov@example.ru')),
    );
    expect(mailHeader(mail, 'In-Reply-To')).toBeUndefined();
    const read = await readMail(mail, 's.ivanov@example.ru');
    expect(read.subject).toBe(`Обращение № ${registrationNumber}`);
    expect(answerAndRatingLinks(read.text)).toEqual({ answer: text, links: [expect.any(String)] });
    expect((await card(id)).status).toBe('answered');
  });

  it('quarantines an item without a text with the reason, registers the rest, and never registers an item twice', async () => {
    const items = [site.addItem(), site.addItem(), site.addItem()];
    const ids = items.map((i) => `feed:governor-nso:${i.id}`);
    site.setScenario('malformed', { times: 1 });

    expect(await tools.pull('website-feed')).toMatchObject({ items: 2, quarantined: 1 });
    const [q] = await stack.db.dataSource.query(
      `SELECT reason, raw FROM quarantined_inputs WHERE channel = 'website' AND external_id = $1`,
      [ids[1]],
    );
    expect(q.reason).toBe('В обращении с сайта нет обязательного поля или оно не распознано: message.text');
    expect(q.raw).toMatchObject({ id: items[1].id });
    await tools.appeal('website', ids[0]);
    await tools.appeal('website', ids[2]);
    expect(await tools.health('website')).toMatchObject({ itemsQuarantined: 1 });

    // The site fixed the item; the feed read again from its start: only that one is new.
    await tools.forgetCursor('website');
    expect(await tools.pull('website-feed')).toMatchObject({ items: 1, duplicates: 3 });
    await tools.appeal('website', ids[1]);
    await tools.settled();
    expect(await tools.appealCount('website', ids)).toBe(3);
    expect(await tools.pull('website-feed')).toMatchObject({ items: 0, duplicates: 0 });
  });

  it('registers an appeal over 50 000 characters with its beginning as the text and the whole of it stored as a file', async () => {
    const text = 'Жалоба на управляющую компанию. ' + 'Подъезд не убирается, лифт не работает. '.repeat(1700);
    const item = site.addItem({ message: { text } });
    expect(await tools.pull('website-feed')).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('website', `feed:governor-nso:${item.id}`);
    const [file] = await stack.db.dataSource.query(
      `SELECT f.file_name, f.status, c.content FROM attachments f JOIN attachment_contents c ON c.sha256 = f.sha256
        WHERE f.appeal_id = $1`,
      [id],
    );
    expect(file).toMatchObject({ file_name: 'obrashchenie.txt', status: 'stored' });
    expect(file.content.toString('utf8')).toBe(text.trim());
  });

  it('downloads the files the citizen attached on the site into the appeal', async () => {
    const scan = Buffer.from('%PDF-1.4\n% скан заявления\n%%EOF\n');
    const item = site.addItem({
      files: [{ url: site.addFile('Заявление.pdf', scan), name: 'Заявление.pdf' }],
    });
    expect(await tools.pull('website-feed')).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('website', `feed:governor-nso:${item.id}`);
    const stored = await eventually(async () => {
      const rows = await stack.db.dataSource.query(
        `SELECT f.file_name, f.status, f.rejection_reason, c.content FROM attachments f
           LEFT JOIN attachment_contents c ON c.sha256 = f.sha256 WHERE f.appeal_id = $1`,
        [id],
      );
      return rows[0] && rows[0].status !== 'remote' ? rows[0] : undefined;
    }, 60_000);
    expect({ ...stored, content: undefined }).toMatchObject({
      file_name: 'Заявление.pdf',
      status: 'stored',
      rejection_reason: null,
    });
    expect(Buffer.compare(stored.content, scan)).toBe(0);
  });

  it('tells the administrator in Russian that ПОС is not connected when a ПОС action finds no ПОС account here', async () => {
    // This process has no ПОС account: a status push recorded for an appeal (its account since removed) waits,
    // and the reason it keeps is the administrator's Russian sentence, as is — it was an English line once.
    const item = site.addItem();
    expect(await tools.pull('website-feed')).toMatchObject({ items: 1 });
    const { id } = await tools.appeal('website', `feed:governor-nso:${item.id}`);
    await stack
      .worker!.get(FeedActions)
      .schedule([
        { kind: 'pos-status', dedupeKey: `event:no-pos-${item.id}`, appealId: id, payload: { update: {} } },
      ]);
    expect(await tools.runner.run('pos-status', new Date(Date.now() + 3_600_000))).toMatchObject({
      retrying: 1,
    });
    const [action] = await stack.db.dataSource.query(
      `SELECT state, last_error FROM feed_actions WHERE appeal_id = $1 AND kind = 'pos-status'`,
      [id],
    );
    expect(action).toEqual({
      state: 'pending',
      last_error:
        'ПОС не подключён: нет работающей учётной записи ПОС. Действие выполнится, когда администратор её настроит',
    });
  });
});
