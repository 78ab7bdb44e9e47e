import { join } from 'node:path';
import { Role, StaffUsers } from '@inbox/access';
import { Incidents } from '@inbox/incidents';
import { Channel } from '@inbox/integrations/contract';
import { idOf } from '../factories/directory';
import { inboundItem } from '../factories/inbound-items';
import { staffStack } from '../support/staff-stack';
import { json, registerItems } from '../support/test-stack';
import { foreignWords } from '../support/screen-language';
import { SHOTS, staffPages } from '../support/staff-pages';

const PASSWORD = 'smena-operatora-2026';
/** The signed-in test staff's names (`Тестовый сотрудник operator-cur-…`), in the history of what they did. */
const TEST_STAFF = [/Тестовый сотрудник [\w-]+/g];

/**
 * A working day of a regional management centre operator in Chromium at 1366×768 in Russian, as a person does
 * it: the intake queue, a message from a channel taken, its topic corrected, routed to the organisation the
 * rules suggest (what the message lacked for an escalation asked in the dialog), a call registered from the
 * keyboard, and the fast-tracked appeals. Every screen in Russian: no English word, code or id on it.
 */
describe("an operator's working day (browser e2e)", () => {
  const t = staffStack({
    organisations: { minzhkh: 'minzhkh' },
    topics: { housing: 'housing', roads: 'roads' },
    staff: { operator: [Role.Operator, 'cur'] },
  });
  const { ids, staff, call } = t;
  const pages = staffPages();
  const { problems } = pages;

  beforeAll(async () => {
    await t.stack.api.get(StaffUsers).create({
      login: 'ivanova',
      password: PASSWORD,
      fullName: 'Иванова Елена Андреевна',
      role: Role.Operator,
      organisationId: await idOf(t.stack.db.dataSource, 'organisations', 'cur'),
    });
    await t.stack.api.get(StaffUsers).create({
      login: 'admin-smeny',
      password: PASSWORD,
      fullName: 'Петров Игорь Семёнович',
      role: Role.Admin,
      organisationId: await idOf(t.stack.db.dataSource, 'organisations', 'cur'),
    });
  });

  const open = (path: string) =>
    pages.open(() => t.stack.baseUrl, { login: 'ivanova', password: PASSWORD }, path);

  it('takes a message from the intake queue, corrects its topic and routes it to the suggested organisation', async () => {
    // A VK message: no patronymic, no phone — what an escalation needs and a channel rarely gives.
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Vk,
        externalId: `vk-day-${Date.now()}`,
        author: { externalId: `vk-user-${Date.now()}`, surname: 'Лебедева', firstName: 'Ольга' },
        subject: 'Холодные батареи',
        text: 'В доме по ул. Гоголя, 15 неделю холодные батареи, управляющая компания трубку не берёт.',
      }),
    ]);
    // The classifier took it for a road matter.
    expect(
      (await call('POST', `/api/v1/appeals/${appealId}/classify`, staff.operator, { topicId: ids.roads }))
        .status,
    ).toBe(204);
    const { registrationNumber } = await json(call('GET', `/api/v1/appeals/${appealId}`, staff.operator));

    const page = await open('/inbox');
    // An operator starts at the intake queue.
    await page.getByRole('heading', { name: 'Новые' }).waitFor();
    const row = page.getByTestId('inbox-row').filter({ hasText: registrationNumber });
    await row.waitFor();
    // The queue is of one status: its filter shows it, fixed (it read «Любой»).
    const status = page.getByRole('textbox', { name: 'Статус' });
    await status.waitFor();
    expect(await status.isDisabled()).toBe(true);
    expect(await status.getAttribute('placeholder')).not.toBe('Любой');
    await status
      .locator('xpath=ancestor::div[.//label[text()="Статус"]][1]')
      .getByText('Зарегистрировано', { exact: true })
      .waitFor();
    // A message's term is its own, not 59-ФЗ's (the row used to say «ответ по 59-ФЗ»).
    await row.getByTestId('next-due').getByText('ответ на сообщение').waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'operator-day-inbox.png') });
    await row.getByRole('link', { name: new RegExp(registrationNumber) }).click();

    await page.getByRole('heading', { name: `Обращение № ${registrationNumber}` }).waitFor();
    const toolbar = page.getByRole('toolbar', { name: 'Действия с обращением' });
    await toolbar.getByRole('button', { name: 'Взять в работу' }).click();
    await page.getByText('Обращение взято в работу').waitFor();

    // The topic corrected.
    const classification = page.getByRole('region', { name: 'Классификация' });
    await classification.getByRole('textbox', { name: 'Тема', exact: true }).click();
    await page.getByRole('option', { name: 'ЖКХ', exact: true }).click();
    await classification.getByRole('button', { name: 'Исправить тему' }).click();
    await page.getByText('Тема сохранена').waitFor();

    // Routed as the rules suggest; the dialog asks for what the message lacks (it used to refuse, with no
    // field anywhere on the card to fill them in).
    const routing = page.getByRole('region', { name: 'Маршрутизация' });
    await routing.getByRole('button', { name: 'Подобрать' }).click();
    await routing.getByTestId('route-suggestion').getByText('Министерство ЖКХ и энергетики').waitFor();
    await routing.getByRole('button', { name: 'Передать по предложению' }).click();
    const dialog = page.getByRole('dialog', { name: 'Передать на 2-ю линию' });
    await dialog.getByText('Министерство ЖКХ и энергетики').waitFor();
    const missing = dialog.getByRole('region', { name: 'Недостающие данные' });
    expect(await missing.getByRole('textbox').count()).toBe(2);
    await missing.getByLabel('Отчество заявителя').fill('Сергеевна');
    await missing.getByLabel('Телефон заявителя').fill('+7 913 555-44-33');
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'operator-day-escalate.png') });
    await dialog.getByRole('button', { name: 'Передать' }).click();
    await page.getByText('Обращение передано на 2-ю линию').first().waitFor();
    await page
      .getByTestId('appeal-organisation')
      .filter({ hasText: 'Министерство ЖКХ и энергетики' })
      .waitFor();
    await page.getByRole('region', { name: 'Заявитель' }).getByText('Лебедева Ольга Сергеевна').waitFor();
    // Each organisation's role read whole beside its name (it was cut: «ответственн…»).
    const cut = await page
      .getByTestId('appeal-organisation')
      .locator('.mantine-Badge-label')
      .evaluateAll((labels) => labels.filter((l) => l.scrollWidth > l.clientWidth).map((l) => l.textContent));
    expect(cut).toEqual([]);
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });

  it('«Передать на 2-ю линию» opens with the organisation the routing chose at registration, ready to confirm', async () => {
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Website,
        externalId: `form-day-${Date.now()}`,
        author: { surname: 'Гусева', firstName: 'Анна', patronymic: 'Ильинична', phone: '+79135550011' },
        subject: 'Протекает крыша',
        text: 'В доме по ул. Мира, 3 протекает крыша над пятым подъездом, управляющая компания бездействует.',
      }),
    ]);
    // What the classification pass records: the topic and the organisations its routing chose (the management
    // centre among them, which is no line-2 target).
    expect(
      (await call('POST', `/api/v1/appeals/${appealId}/classify`, staff.operator, { topicId: ids.housing }))
        .status,
    ).toBe(204);
    await t.stack.db.dataSource.query(
      `UPDATE appeals SET suggested_organisation_ids = ARRAY[$2::uuid, organisation_id] WHERE id = $1`,
      [appealId, ids.minzhkh],
    );
    const page = await open(`/appeals/${appealId}`);
    const toolbar = page.getByRole('toolbar', { name: 'Действия с обращением' });
    await toolbar.getByRole('button', { name: 'Передать на 2-ю линию' }).click();
    const dialog = page.getByRole('dialog', { name: 'Передать на 2-ю линию' });
    await dialog.getByText('Министерство ЖКХ и энергетики').waitFor();
    expect(await dialog.locator('.mantine-Pill-root').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Передать' }).click();
    await page.getByText('Обращение передано на 2-ю линию').first().waitFor();
    await page
      .getByTestId('appeal-organisation')
      .filter({ hasText: 'Министерство ЖКХ и энергетики' })
      .waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('asks in the escalation dialog for what the card lacks; offers the administrator no escalation', async () => {
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Vk,
        externalId: `vk-admin-${Date.now()}`,
        author: { externalId: `vk-user-a-${Date.now()}`, surname: 'Белова', firstName: 'Нина' },
        subject: 'Нет света в подъезде',
        text: 'В доме по ул. Кирова, 8 вторую неделю нет света в подъезде.',
      }),
    ]);
    expect(
      (await call('POST', `/api/v1/appeals/${appealId}/classify`, staff.operator, { topicId: ids.housing }))
        .status,
    ).toBe(204);
    const missingFields = async (login: string) => {
      const page = await pages.open(
        () => t.stack.baseUrl,
        { login, password: PASSWORD },
        `/appeals/${appealId}`,
      );
      const toolbar = page.getByRole('toolbar', { name: 'Действия с обращением' });
      await toolbar.getByRole('button', { name: 'Передать на 2-ю линию' }).click();
      const dialog = page.getByRole('dialog', { name: 'Передать на 2-ю линию' });
      const missing = dialog.getByRole('region', { name: 'Недостающие данные' });
      await missing.waitFor();
      const labels: string[] = [];
      for (const label of ['Имя заявителя', 'Отчество заявителя', 'Телефон заявителя'])
        if ((await missing.getByRole('textbox', { name: label }).count()) > 0) labels.push(label);
      return { page, missing, labels };
    };
    // The administrator keeps accounts and settings, not appeals: the card offers them no hand-over at all (the
    // dialog asked them for a phone they may not see, and the api took the escalation).
    const admin = await pages.open(
      () => t.stack.baseUrl,
      { login: 'admin-smeny', password: PASSWORD },
      `/appeals/${appealId}`,
    );
    await admin.getByTestId('appeal-text').waitFor();
    expect(await admin.getByRole('button', { name: 'Передать на 2-ю линию' }).count()).toBe(0);
    expect(problems.get(admin)).toEqual([]);
    // Line 1 is asked for both.
    const operator = await missingFields('ivanova');
    expect(operator.labels).toEqual(['Отчество заявителя', 'Телефон заявителя']);
    expect(await operator.missing.getByTestId('phone-not-yours').count()).toBe(0);
    expect(problems.get(operator.page)).toEqual([]);
  });

  it('registers a call from the keyboard and finds it in the intake queue', async () => {
    const page = await open('/register');
    await page.getByRole('heading', { name: 'Регистрация обращения' }).waitFor();
    await page.getByLabel('Телефон').fill('+7 923 111-22-33');
    await page.getByRole('textbox', { name: /^Фамилия/ }).fill('Кузьмин');
    await page.getByRole('textbox', { name: /^Имя/ }).fill('Андрей');
    await page.getByRole('textbox', { name: /^Отчество/ }).fill('Павлович');
    await page.getByRole('textbox', { name: /^Суть вопроса/ }).fill('Яма на дороге');
    await page
      .getByRole('textbox', { name: /^Содержание/ })
      .fill('На ул. Ленина, 40 у остановки глубокая яма, машины объезжают по встречной.');
    // As an operator would: the lookup of earlier appeals has answered before the outcome is chosen.
    await page.getByTestId('earlier-appeals').getByText('Прежних обращений не найдено').waitFor();
    await page.getByRole('radio', { name: 'Только зарегистрировать' }).check();
    await page.getByRole('button', { name: 'Зарегистрировать', exact: true }).focus();
    await page.keyboard.press('Enter');
    const done = page.getByText(/^Обращение № \d{4}-\d{6} зарегистрировано\./);
    await done.waitFor();
    const number = /№ (\d{4}-\d{6})/.exec(await done.innerText())![1];
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await page.getByRole('link', { name: 'Открыть карточку' }).click();
    await page.getByRole('heading', { name: `Обращение № ${number}` }).waitFor();
    await page.getByRole('region', { name: 'Заявитель' }).getByText('Кузьмин Андрей Павлович').waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    // And in the intake queue, where the shift's other operators take it from.
    await page
      .getByRole('navigation', { name: 'Разделы' })
      .getByRole('link', { name: /^Новые/ })
      .click();
    await page.getByTestId('inbox-row').filter({ hasText: number }).waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('fast-tracks from the card an urgent appeal the rules missed: the reason asked, the term shortened', async () => {
    // Emergency words no rule of the region lists: the pass left it on the 30-day term.
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Website,
        externalId: `form-urgent-${Date.now()}`,
        author: { surname: 'Ершова', firstName: 'Вера', patronymic: 'Петровна', phone: '+79135550022' },
        subject: 'Затопило подвал',
        text: 'В доме по ул. Садовой, 12 затопило подвал кипятком, пар идёт в подъезд, жильцы не могут выйти.',
      }),
    ]);
    const before = await json(call('GET', `/api/v1/appeals/${appealId}`, staff.operator));
    expect(before.fastTrack).toBe(false);
    const page = await open(`/appeals/${appealId}`);
    await page.getByTestId('appeal-text').waitFor();
    const toolbar = page.getByRole('toolbar', { name: 'Действия с обращением' });
    await toolbar.getByRole('button', { name: 'Ускорить' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ускоренное рассмотрение' });
    const confirm = dialog.getByRole('button', { name: 'Ускорить' });
    // Not without a reason.
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: /Причина/ }).fill('Кипяток в подвале, пар в подъезде');
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await confirm.click();
    await page.getByText('Назначено ускоренное рассмотрение').first().waitFor();
    await page.getByText('Ускоренное', { exact: true }).first().waitFor();
    // The button gone once it is fast-tracked; the history says why.
    expect(await toolbar.getByRole('button', { name: 'Ускорить' }).count()).toBe(0);
    await page.getByText(/причина: Кипяток в подвале, пар в подъезде/).waitFor();
    const after = await json(call('GET', `/api/v1/appeals/${appealId}`, staff.operator));
    expect(after.fastTrack).toBe(true);
    expect(after.deadlines.answerDueDate < before.deadlines.answerDueDate).toBe(true);
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    // Once only.
    expect(
      (
        await call('POST', `/api/v1/appeals/${appealId}/fast-track`, staff.operator, {
          reason: 'Ещё раз',
        })
      ).status,
    ).toBe(409);
    expect(problems.get(page)).toEqual([]);

    // One seen on its 25th day: marked fast-track, its term kept (10 days from registration would make it
    // overdue at once, a violation nobody committed), and the history says so.
    const [late] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Website,
        externalId: `form-late-${Date.now()}`,
        author: { surname: 'Ершова', firstName: 'Вера', patronymic: 'Петровна', phone: '+79135550022' },
        subject: 'Трещина в несущей стене',
        text: 'В доме по ул. Садовой, 14 по несущей стене пошла трещина, она растёт с каждым днём.',
      }),
    ]);
    await t.stack.db.dataSource.query(
      `UPDATE appeals SET registered_at = registered_at - interval '25 days',
              received_at = received_at - interval '25 days' WHERE id = $1`,
      [late],
    );
    const kept = await json(call('GET', `/api/v1/appeals/${late}`, staff.operator));
    expect(
      (await call('POST', `/api/v1/appeals/${late}/fast-track`, staff.operator, { reason: 'Трещина растёт' }))
        .status,
    ).toBe(204);
    const lateAfter = await json(call('GET', `/api/v1/appeals/${late}`, staff.operator));
    expect(lateAfter.fastTrack).toBe(true);
    expect(lateAfter.deadlines.answerDueDate).toBe(kept.deadlines.answerDueDate);
  });

  it('says in the status filter of «Срок под угрозой» which statuses it lists, whole', async () => {
    const page = await open('/inbox?queue=at-risk');
    await page.getByRole('heading', { name: 'Срок под угрозой' }).waitFor();
    const status = page.getByRole('textbox', { name: 'Статус' });
    // The placeholder's text fits the field (it read «Любой нерассмотрен…»).
    // Through the element's own document: the tests' TypeScript has no DOM globals.
    const fits = await status.evaluate((input) => {
      const doc = input.ownerDocument;
      const style = doc.defaultView!.getComputedStyle(input);
      const context = doc.createElement('canvas').getContext('2d')!;
      context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return context.measureText(input.getAttribute('placeholder') ?? '').width <= room;
    });
    expect(fits).toBe(true);
    expect(await status.getAttribute('placeholder')).toBe('Любой открытый');
    expect(problems.get(page)).toEqual([]);
  });

  it('the open card follows what a colleague does meanwhile: taken by them, it says who holds it', async () => {
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Website,
        externalId: `form-live-${Date.now()}`,
        author: { surname: 'Фролов', firstName: 'Денис', patronymic: 'Ильич', phone: '+79135550033' },
        subject: 'Не вывозят мусор',
        text: 'Во дворе дома по ул. Озёрной, 5 вторую неделю не вывозят мусор, контейнеры переполнены.',
      }),
    ]);
    const page = await open(`/appeals/${appealId}`);
    const toolbar = page.getByRole('toolbar', { name: 'Действия с обращением' });
    await toolbar.getByRole('button', { name: 'Взять в работу' }).waitFor();
    // A colleague of the shift takes it (the card stayed as opened: «исполнитель: не назначен»).
    expect((await call('POST', `/api/v1/appeals/${appealId}/take`, staff.operator)).status).toBe(204);
    await page
      .getByTestId('card-assignee')
      .filter({ hasText: /Тестовый сотрудник/ })
      .waitFor({ timeout: 15_000 });
    // And its history says who took it.
    await page.getByText('Взято в работу').first().waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('joins an appeal the citizen sent twice into the first one: the card says «Объединено с № …»', async () => {
    const author = { externalId: `epgu-twice-${Date.now()}`, surname: 'Зайцева', firstName: 'Мария' };
    const text = 'У дома по ул. Танковой, 31 не работает уличное освещение, вечером во дворе темно.';
    const [first] = await registerItems(t.stack, [
      inboundItem({ author, text, externalId: `pos-first-${Date.now()}` }),
    ]);
    const [second] = await registerItems(t.stack, [
      inboundItem({ author, text: `${text} Пишу второй раз.`, externalId: `pos-again-${Date.now()}` }),
    ]);
    // A stranger's appeal, whose number a slip of the finger could give.
    const [stranger] = await registerItems(t.stack, [
      inboundItem({
        author: { externalId: `epgu-other-${Date.now()}`, surname: 'Гусев', firstName: 'Пётр' },
        externalId: `pos-other-${Date.now()}`,
      }),
    ]);
    const number = async (id: string) =>
      ((await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))) as { registrationNumber: string })
        .registrationNumber;
    const [firstNo, secondNo, strangerNo] = [
      await number(first),
      await number(second),
      await number(stranger),
    ];
    // Its «repeated» flag names an earlier appeal already closed, which no join takes: the flag says why, no button.
    const [closed] = await registerItems(t.stack, [
      inboundItem({ author, text, externalId: `pos-closed-${Date.now()}` }),
    ]);
    expect((await call('POST', `/api/v1/appeals/${closed}/close`, staff.operator, {})).status).toBe(204);
    const closedNo = await number(closed);
    await t.stack.db.dataSource.query(
      `INSERT INTO appeal_flags (appeal_id, flag, evidence) VALUES ($1, 'repeated', $2::jsonb)
       ON CONFLICT (appeal_id, flag) DO UPDATE SET evidence = EXCLUDED.evidence`,
      [second, JSON.stringify({ earlierAppealId: closed, earlierRegistrationNumber: closedNo })],
    );
    const page = await open(`/appeals/${second}`);
    await page
      .getByTestId('flag-join-refusal')
      .filter({ hasText: `Объединить нельзя: Обращение № ${closedNo} уже не в работе` })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Объединить с обращением…' }).count()).toBe(0);
    await page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Объединить с обращением' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Объединить с более ранним обращением' });
    // The applicant's earlier appeal in work is offered, chosen already.
    await dialog
      .getByTestId('join-candidate')
      .filter({ hasText: `№ ${firstNo}` })
      .waitFor();
    expect(
      await dialog.getByRole('textbox', { name: 'Номер обращения, с которым объединить' }).inputValue(),
    ).toBe(firstNo);
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    // The stranger's number: both applicants side by side, what differs said, and no join without the clerk's word.
    const numberBox = dialog.getByRole('textbox', { name: 'Номер обращения, с которым объединить' });
    await numberBox.fill(strangerNo);
    const warning = dialog.getByTestId('join-different-applicant');
    await warning.getByText('Похоже, это разные люди: не совпадает фамилия').waitFor();
    await dialog.getByTestId('join-applicant').filter({ hasText: 'Гусев Пётр' }).waitFor();
    await dialog.getByTestId('join-applicant').filter({ hasText: 'Зайцева Мария' }).waitFor();
    const joinButton = dialog.getByRole('button', { name: 'Объединить' });
    expect(await joinButton.isDisabled()).toBe(true);
    await warning.getByRole('checkbox', { name: 'Подтверждаю: это один и тот же заявитель' }).check();
    expect(await joinButton.isEnabled()).toBe(true);
    // The right number: the same person, nothing to confirm.
    await numberBox.fill(firstNo);
    await dialog
      .getByTestId('join-applicant')
      .filter({ hasText: `№ ${firstNo}` })
      .waitFor();
    expect(await warning.count()).toBe(0);
    await joinButton.click();
    await page.getByTestId('joined-notice').getByText(`Объединено с № ${firstNo}`).waitFor();
    await page.getByText('Завершено', { exact: true }).first().waitFor();
    await page
      .getByTestId('history-item')
      .filter({ hasText: `Объединено с № ${firstNo}: ответ будет дан под этим номером` })
      .waitFor();
    // The first appeal's card: the second one's text as its follow-up, and the join in its history.
    await page
      .getByTestId('joined-notice')
      .getByRole('link', { name: `обращению № ${firstNo}` })
      .click();
    await page.getByRole('heading', { name: `Обращение № ${firstNo}` }).waitFor();
    await page
      .getByTestId('history-item')
      .filter({ hasText: `Из обращения № ${secondNo}: ${text} Пишу второй раз.` })
      .waitFor();
    await page
      .getByTestId('history-item')
      .filter({ hasText: `Объединено с № ${secondNo}` })
      .waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });

  it('excludes an appeal grouped wrongly from its incident and adds a missed one, from their cards', async () => {
    const text =
      'В доме по ул. Светлановской, 50 с утра нет холодной воды во всех подъездах, аварийная служба не отвечает';
    const ids3 = await registerItems(
      t.stack,
      [`${text}.`, `${text}, когда дадут?`, `${text}, помогите.`].map((body, k) =>
        inboundItem({ text: body, address: undefined, externalId: `pos-water-${k}-${Date.now()}` }),
      ),
    );
    const [missed] = await registerItems(t.stack, [
      inboundItem({
        text: 'На ул. Светлановской, 52 вода идёт ржавая и еле течёт, напора нет совсем',
        address: undefined,
        externalId: `pos-rust-${Date.now()}`,
      }),
    ]);
    const incidents = t.stack.api.get(Incidents);
    const card = async (id: string) =>
      (await json(call('GET', `/api/v1/appeals/${id}`, staff.operator))) as {
        registrationNumber: string;
        registeredAt: string;
        subject: string | null;
        text: string;
        classification: { incidentId: string | null; incidentNumber: number | null };
      };
    for (const id of ids3) {
      const c = await card(id);
      await incidents.cluster({
        id,
        registeredAt: new Date(c.registeredAt),
        topicId: null,
        subject: c.subject,
        text: c.text,
        address: null,
      });
    }
    const { classification } = await card(ids3[0]);
    const number = classification.incidentNumber!;
    expect(number).toBeGreaterThan(0);

    const page = await open(`/appeals/${ids3[0]}`);
    const notice = page.getByTestId('incident-notice');
    await notice.getByText(`Входит в инцидент № ${number}`).waitFor();
    await notice.getByRole('button', { name: 'Исключить из инцидента' }).click();
    const exclude = page.getByRole('dialog', { name: `Исключить из инцидента № ${number}` });
    // No reason, no exclusion.
    expect(await exclude.getByRole('button', { name: 'Исключить' }).isDisabled()).toBe(true);
    await exclude.getByRole('textbox', { name: 'Причина' }).fill('Вода есть, жалоба на отопление');
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await exclude.getByRole('button', { name: 'Исключить' }).click();
    await page
      .getByTestId('history-item')
      .filter({ hasText: `Исключено из инцидента № ${number}: Вода есть, жалоба на отопление` })
      .waitFor();
    expect(await page.getByTestId('incident-notice').count()).toBe(0);
    expect((await card(ids3[0])).classification.incidentId).toBeNull();

    // The missed one: found by the incident's number and added.
    expect((await card(missed)).classification).toMatchObject({ incidentId: null });
    await page.goto(`${t.stack.baseUrl}/app/appeals/${missed}`);
    await page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Добавить к инциденту' })
      .click();
    const add = page.getByRole('dialog', { name: 'Добавить к инциденту' });
    await add.getByRole('textbox', { name: 'Поиск' }).fill(String(number));
    await add
      .getByTestId('incident-candidate')
      .filter({ hasText: `Инцидент № ${number}` })
      .getByRole('radio')
      .check();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    await add.getByRole('button', { name: 'Добавить' }).click();
    await page.getByTestId('incident-notice').getByText(`Входит в инцидент № ${number}`).waitFor();
    await page
      .getByTestId('history-item')
      .filter({ hasText: `Добавлено к инциденту № ${number}` })
      .waitFor();
    expect(problems.get(page)).toEqual([]);
  });

  it('works the fast-tracked appeals: the queue, the badge, and one routed from its card', async () => {
    const [appealId] = await registerItems(t.stack, [
      inboundItem({
        channel: Channel.Telegram,
        externalId: `tg-fast-${Date.now()}`,
        fastTrack: true,
        author: {
          externalId: `tg-${Date.now()}`,
          surname: 'Орлов',
          firstName: 'Пётр',
          patronymic: 'Ильич',
          phone: '+79131234567',
        },
        subject: 'Обрыв провода',
        text: 'У дома по ул. Жуковского, 60 оборван провод и лежит на тротуаре.',
      }),
    ]);
    const { registrationNumber } = await json(call('GET', `/api/v1/appeals/${appealId}`, staff.operator));
    const page = await open('/inbox');
    await page
      .getByRole('navigation', { name: 'Разделы' })
      .getByRole('link', { name: /Ускоренные/ })
      .click();
    await page.getByRole('heading', { name: 'Ускоренные' }).waitFor();
    const row = page.getByTestId('inbox-row').filter({ hasText: registrationNumber });
    await row.getByText('Ускоренное').waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    // The keyboard: the row chosen with the arrows, opened with Enter.
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    const rows = page.getByTestId('inbox-row');
    const index = await rows.evaluateAll(
      (list, n) => list.findIndex((r) => (r.textContent ?? '').includes(n)),
      registrationNumber,
    );
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Обращение № ${registrationNumber}` }).waitFor();
    await page.getByText('Ускоренное', { exact: true }).first().waitFor();
    const classification = page.getByRole('region', { name: 'Классификация' });
    await classification.getByRole('textbox', { name: 'Тема', exact: true }).click();
    await page.getByRole('option', { name: 'ЖКХ', exact: true }).click();
    await classification.getByRole('button', { name: 'Сохранить тему' }).click();
    await page.getByText('Тема сохранена').waitFor();
    await page
      .getByRole('toolbar', { name: 'Действия с обращением' })
      .getByRole('button', { name: 'Передать на 2-ю линию' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Передать на 2-ю линию' });
    await dialog.getByRole('textbox', { name: 'Организации 2-й линии' }).click();
    await page.getByRole('option', { name: 'Министерство ЖКХ и энергетики' }).click();
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Передать' }).click();
    await page.getByText('Обращение передано на 2-ю линию').first().waitFor();
    expect(await foreignWords(page, TEST_STAFF)).toEqual([]);
    expect(problems.get(page)).toEqual([]);
  });
});
