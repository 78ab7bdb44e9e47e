import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '@inbox/access';
import { AppConfig } from '@inbox/config';
import { notice547Ru } from '@inbox/feeds';
import { signInAs, type SignedIn } from '../factories/staff';
import { type DovecotInstance } from '../fakes/email/dovecot';
import { type ReceivedMail, type SmtpReceiver } from '../fakes/email/smtp-receiver';
import { eventually, json, type TestStack } from '../support/test-stack';
import {
  answerAndRatingLinks,
  answerAppeal,
  type EmailStack,
  emailLetter,
  expectedDueDate,
  mailHeader,
  readMail,
  startEmailStack,
} from './feed-helpers';

const OURS = 'obrashcheniya@region.test';

/** Our own letter fixture (test/fixtures/email), its {{PLACEHOLDERS}} filled in. */
function fixture(name: string, values: Record<string, string> = {}): Buffer {
  const raw = readFileSync(join(__dirname, '../fixtures/email', name), 'utf8');
  return Buffer.from(
    raw.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key]),
    'utf8',
  );
}

/** A citizen's plain or one-file letter to our mailbox (emailLetter). */
const letter = (opts: Parameters<typeof emailLetter>[1]) => emailLetter(OURS, opts);

/**
 * Issue 5, e-mail end to end against a real IMAP server (a private dovecot) and a real SMTP receiver: a
 * letter becomes a 547-ФЗ message, its sender is told once how to file an appeal, replies thread both
 * ways, the answer goes back as a reply; broken MIME is quarantined without stopping the batch.
 */
describe('e-mail feed (e2e)', () => {
  let email: EmailStack;
  let dovecot: DovecotInstance;
  let smtp: SmtpReceiver;
  let stack: TestStack;
  let tools: EmailStack['tools'];
  let operator: SignedIn;
  let supervisor: SignedIn;
  let mailbox: string;

  beforeAll(async () => {
    email = await startEmailStack(OURS);
    ({ dovecot, smtp, stack, tools, mailbox } = email);
    operator = await signInAs(stack.api, stack.baseUrl, Role.Operator, 'cur');
    supervisor = await signInAs(stack.api, stack.baseUrl, Role.Supervisor, 'cur');
  });
  afterAll(async () => {
    await email?.close();
  });

  const card = (id: string) =>
    json(fetch(`${stack.baseUrl}/api/v1/appeals/${id}`, { headers: supervisor.headers }));
  const to = (address: string) => smtp.accepted().filter((m) => m.to.includes(address));
  const notices = (address: string) => to(address).filter((m) => mailHeader(m, 'Auto-Submitted'));

  it('registers a letter as a message, sends the 547-ФЗ notice once as a reply, joins a reply to it, and answers in the thread', async () => {
    const citizen = 'kuznetsova@mail.example';
    const citizenId = `obr-1.${Date.now()}@mail.example`;
    const scan = Buffer.from('%PDF-1.4 квитанция за отопление');
    await dovecot.deliver(
      mailbox,
      letter({
        id: citizenId,
        from: citizen,
        subject: 'Перерасчёт за отопление',
        body: 'Прошу сделать перерасчёт за отопление за октябрь: батареи были холодные.',
        attachment: { name: 'Квитанция.pdf', type: 'application/pdf', data: scan },
      }),
    );

    expect(await tools.pull('email')).toMatchObject({ items: 1, quarantined: 0 });
    const { id, registrationNumber } = await tools.appeal('email', citizenId);
    const c = await card(id);
    expect(c).toMatchObject({
      regime: 'message',
      channel: 'email',
      subject: 'Перерасчёт за отопление',
      applicant: { displayName: 'Кузнецова Мария', email: citizen },
      attachments: [
        expect.objectContaining({
          fileName: 'Квитанция.pdf',
          status: 'stored',
          sha256: createHash('sha256').update(scan).digest('hex'),
        }),
      ],
    });
    expect(c.answerDueDate).toBe(expectedDueDate(c.registeredAt, 30));

    // 547-ФЗ: the sender learns how to file a 59-ФЗ appeal, in reply to their letter.
    const [notice] = await eventually(async () => (notices(citizen).length ? notices(citizen) : undefined));
    expect(mailHeader(notice, 'In-Reply-To')).toBe(`<${citizenId}>`);
    expect(mailHeader(notice, 'References')).toBe(`<${citizenId}>`);
    expect(mailHeader(notice, 'Auto-Submitted')).toBe('auto-generated');
    const read = await readMail(notice, citizen);
    expect(read.subject).toBe(`Re: Перерасчёт за отопление [№ ${registrationNumber}]`);
    // Its number in the first line, and a link to the form where an appeal can be filed.
    const formUrl = new URL('/', stack.api.get(AppConfig).publicBaseUrl).toString();
    expect(read.text).toBe(notice547Ru(registrationNumber, formUrl));
    expect(read.text).toMatch(
      new RegExp(`^Ваше письмо получено и зарегистрировано как сообщение № ${registrationNumber}\\. `),
    );
    expect(read.text).toContain(`(${formUrl})`);
    const noticeId = mailHeader(notice, 'Message-ID')!.replace(/[<>]/g, '');
    // Once delivered, our Message-ID is a thread key of the appeal.
    await eventually(async () => {
      const keys = await stack.db.dataSource.query(
        `SELECT 1 FROM appeal_threads WHERE channel = 'email' AND thread_key = $1 AND appeal_id = $2`,
        [`msgid:${noticeId}`, id],
      );
      return keys.length ? true : undefined;
    });

    // The citizen answers the notice; the reply names only our Message-ID, yet joins the same appeal.
    const replyId = `obr-2.${Date.now()}@mail.example`;
    await dovecot.deliver(
      mailbox,
      letter({
        id: replyId,
        from: citizen,
        subject: 'Re: Перерасчёт за отопление',
        body: 'Дополняю: лицевой счёт 4455667.',
        headers: [`In-Reply-To: <${noticeId}>`],
      }),
    );
    expect(await tools.pull('email')).toMatchObject({ items: 1 });
    await eventually(async () =>
      (await tools.history(id)).some((e) => e.type === 'follow-up-received' && e.data.externalId === replyId)
        ? true
        : undefined,
    );
    expect(await tools.appealCount('email', [replyId])).toBe(0);

    // The answer: a reply to the citizen's letter, not an automatic notice.
    expect(
      (
        await fetch(`${stack.baseUrl}/api/v1/appeals/${id}/take`, {
          method: 'POST',
          headers: operator.headers,
        })
      ).status,
    ).toBe(204);
    const text = 'Перерасчёт за октябрь выполнен, сумма будет учтена в квитанции за ноябрь.';
    await answerAppeal(stack, id, operator, supervisor, text);
    const answer = await eventually(async () =>
      to(citizen).find((m: ReceivedMail) => !mailHeader(m, 'Auto-Submitted')),
    );
    expect(mailHeader(answer, 'In-Reply-To')).toBe(`<${citizenId}>`);
    expect(mailHeader(answer, 'References')).toBe(`<${citizenId}>`);
    const mail = await readMail(answer, citizen);
    expect(mail.subject).toBe(`Re: Перерасчёт за отопление [№ ${registrationNumber}]`);
    // The answer, and under it the personal link to rate it.
    expect(answerAndRatingLinks(mail.text)).toEqual({
      answer: text,
      links: [expect.stringMatching(/\/rate\.html#t=[A-Za-z0-9_-]{43}$/)],
    });
    expect(registrationNumber).toMatch(/^\d{4}-\d{6}$/);

    // Once: the mailbox read again from the start and the whole history replayed send nothing new.
    await tools.forgetCursor('email');
    expect(await tools.pull('email')).toMatchObject({ items: 0, duplicates: 2 });
    await tools.replayHooks();
    await new Promise((r) => setTimeout(r, 1500));
    expect(notices(citizen)).toHaveLength(1);
    expect(to(citizen)).toHaveLength(2);
    expect(await tools.appealCount('email', [citizenId])).toBe(1);

    // Issue 13: the citizen replies to the answer itself. The appeal is answered, no longer open, yet the reply
    // names our answer's Message-ID: it joins that appeal as a follow-up instead of opening a new one.
    const answerId = mailHeader(answer, 'Message-ID')!.replace(/[<>]/g, '');
    await eventually(async () => {
      const keys = await stack.db.dataSource.query(
        `SELECT 1 FROM appeal_threads WHERE channel = 'email' AND thread_key = $1 AND appeal_id = $2`,
        [`msgid:${answerId}`, id],
      );
      return keys.length ? true : undefined;
    });
    const [{ status }] = await stack.db.dataSource.query(`SELECT status FROM appeals WHERE id = $1`, [id]);
    expect(status).toBe('answered');
    const thanksId = `obr-3.${Date.now()}@mail.example`;
    await dovecot.deliver(
      mailbox,
      fixture('reply-to-answer.template.eml', {
        FROM_ADDRESS: citizen,
        MESSAGE_ID: thanksId,
        IN_REPLY_TO: answerId,
        REFERENCES: `<${citizenId}> <${answerId}>`,
      }),
    );
    expect(await tools.pull('email')).toMatchObject({ items: 1 });
    const followUp = await eventually(async () =>
      (await tools.history(id)).find(
        (e) => e.type === 'follow-up-received' && e.data.externalId === thanksId,
      ),
    );
    expect(await tools.appealCount('email', [thanksId])).toBe(0);
    // The follow-up is the citizen's own words; the quote of our answer below them is a file on the appeal.
    expect(followUp.data.text).toBe(
      'Спасибо, но в квитанции за ноябрь перерасчёта нет, прикладываю номер лицевого счёта: 4455667.\n\n' +
        'Цитата предыдущей переписки из письма сохранена во вложении «Цитата из переписки.txt».',
    );
    const quote = (await card(id)).attachments.find(
      (a: { fileName: string }) => a.fileName === 'Цитата из переписки.txt',
    );
    expect(quote).toMatchObject({ status: 'stored' });
  });

  it('registers an HTML-only letter with a photo (Yandex web mail) with its text, the photo and the HTML kept', async () => {
    await dovecot.deliver(mailbox, fixture('html-only-mixed.eml'));
    expect(await tools.pull('email')).toMatchObject({ items: 1, quarantined: 0 });
    const { id } = await tools.appeal('email', '3120171763363112@mail.yandex.example');
    const c = await card(id);
    expect(c.text).toBe(
      'Здравствуйте!\n\nВо дворе дома 7 по ул. Советской третью неделю не вывозят мусор, контейнеры переполнены, ' +
        'мусор разносит по двору.\n\nФото во вложении.\n\n--\nМария Кузнецова',
    );
    expect(c.attachments.map((a: { fileName: string; status: string }) => [a.fileName, a.status])).toEqual([
      ['IMG_20261117_135802.jpg', 'stored'],
      ['letter.html', 'stored'],
    ]);
  });

  it('quarantines a letter with broken MIME with its reason in Russian and registers the rest of the batch, a letter written in its subject alone too', async () => {
    const ids = [
      `ok-a.${Date.now()}@mail.example`,
      `broken.${Date.now()}@mail.example`,
      `ok-b.${Date.now()}@mail.example`,
    ];
    await dovecot.deliver(
      mailbox,
      letter({ id: ids[0], from: 'a@mail.example', subject: 'Яма во дворе', body: 'Во дворе яма.' }),
    );
    await dovecot.deliver(
      mailbox,
      [
        'From: b@mail.example',
        `To: ${OURS}`,
        'Subject: broken',
        `Message-ID: <${ids[1]}>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed',
        '',
        'no boundary, no parts',
        '',
      ].join('\r\n'),
    );
    await dovecot.deliver(
      mailbox,
      // Written in the subject alone, the body empty (a phone's one-line question).
      letter({ id: ids[2], from: 'c@mail.example', subject: 'В подъезде дома 7 нет света', body: '' }),
    );
    const before = (await tools.health('email')).itemsQuarantined as number;

    expect(await tools.pull('email')).toMatchObject({ items: 2, quarantined: 1 });
    const [q] = await stack.db.dataSource.query(
      `SELECT external_id, reason, raw FROM quarantined_inputs WHERE channel = 'email' AND external_id = $1`,
      [ids[1]],
    );
    expect(q.reason).toBe(
      'Письмо не удалось разобрать: составное письмо (multipart/mixed) без границы частей (boundary)',
    );
    // Kept whole for a person to look at.
    expect(Buffer.from(q.raw, 'base64').toString('utf8')).toContain('no boundary, no parts');
    await tools.appeal('email', ids[0]);
    const lights = await tools.appeal('email', ids[2]);
    const [appeal] = await stack.db.dataSource.query(`SELECT subject, text FROM appeals WHERE id = $1`, [
      lights.id,
    ]);
    expect(appeal).toEqual({ subject: 'В подъезде дома 7 нет света', text: 'В подъезде дома 7 нет света' });
    expect(await tools.appealCount('email', [ids[1]])).toBe(0);
    expect(await tools.health('email')).toMatchObject({ itemsQuarantined: before + 1 });
  });

  it('sets a newsletter aside for staff with the reason in Russian, and registers the letter beside it', async () => {
    const news = `digest.${Date.now()}@news.example`;
    const citizenId = `tree.${Date.now()}@mail.example`;
    await dovecot.deliver(
      mailbox,
      letter({
        id: news,
        from: 'news@news.example',
        subject: 'Дайджест недели: скидки до 50%',
        body: 'Лучшие предложения недели. Чтобы отписаться, перейдите по ссылке.',
        headers: [
          'List-Unsubscribe: <https://news.example/unsubscribe/8f3a>, <mailto:leave@news.example>',
          'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
        ],
      }),
    );
    await dovecot.deliver(
      mailbox,
      letter({
        id: citizenId,
        from: 'd@mail.example',
        subject: 'Упало дерево',
        body: 'Во дворе упало дерево.',
      }),
    );

    expect(await tools.pull('email')).toMatchObject({ items: 1, quarantined: 1 });
    await tools.appeal('email', citizenId);
    expect(await tools.appealCount('email', [news])).toBe(0);
    const listed = await json(
      fetch(`${stack.baseUrl}/api/v1/channel-quarantine?channel=email`, { headers: supervisor.headers }),
    );
    const entry = listed.items.find((i: { externalId: string }) => i.externalId === news);
    expect(entry.summary).toMatch(/^Массовая рассылка \(в письме есть заголовок отписки List-Unsubscribe\)/);
    const [q] = await stack.db.dataSource.query(
      `SELECT raw FROM quarantined_inputs WHERE channel = 'email' AND external_id = $1`,
      [news],
    );
    expect(Buffer.from(q.raw, 'base64').toString('utf8')).toContain('List-Unsubscribe-Post');
  });
});
