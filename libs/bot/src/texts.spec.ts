import { AppealStatus, applicantTexts as staff, CITIZEN_STATUS_TEXT_RU } from '@inbox/appeals';
import * as texts from './texts';
import {
  consentHowRu,
  consentLabelRu,
  myAppealsRu,
  ratingRequestRu,
  registeredNoticeRu,
  russianDay,
} from './texts';

const line = (status: AppealStatus, answerDueDate = '2026-12-17') => ({
  registrationNumber: '2026-000123',
  registeredOn: '2026-11-19',
  status,
  answerDueDate,
});

/**
 * Every text the bot can send, by export: each function called the ways the dialogue calls it. An export missing
 * here fails the test below, so a new text cannot skip the scan.
 */
const EVERY_TEXT: Record<string, () => string[]> = {
  GREETING_RU: () => [texts.GREETING_RU],
  CONSENT_NOTICE_RU: () => [texts.CONSENT_NOTICE_RU],
  consentLabelRu: () => [texts.consentLabelRu(64), texts.consentLabelRu(40)],
  consentHowRu: () => [texts.consentHowRu(texts.consentLabelRu(40)), texts.consentHowRu(undefined)],
  HELD_INTRO_RU: () => [texts.HELD_INTRO_RU],
  WRITE_APPEAL_RU: () => [texts.WRITE_APPEAL_RU],
  CONSENT_THANKS_RU: () => [texts.CONSENT_THANKS_RU],
  CONSENT_ALREADY_RU: () => [texts.CONSENT_ALREADY_RU],
  RELEASED_RU: () => [texts.RELEASED_RU],
  CONSENT_ACK_RU: () => [texts.CONSENT_ACK_RU],
  helpRu: () => [texts.helpRu(true), texts.helpRu(false)],
  faqUsageRu: () => [texts.faqUsageRu(true), texts.faqUsageRu(false)],
  faqAnswerRu: () => [
    texts.faqAnswerRu({
      question: 'Когда включат отопление?',
      answer:
        'Отопительный сезон начинается при среднесуточной температуре ниже +8 градусов в течение пяти дней.',
      organisationName: 'Министерство ЖКХ и энергетики',
    }),
  ],
  FAQ_NOT_FOUND_RU: () => [texts.FAQ_NOT_FOUND_RU],
  russianDay: () => [texts.russianDay('2026-12-22'), texts.russianDay(undefined)],
  myAppealsRu: () => [
    texts.myAppealsRu([], 10),
    texts.myAppealsRu(
      Object.values(AppealStatus).map((s) => line(s)),
      10,
    ),
    texts.myAppealsRu([line(AppealStatus.Registered, undefined as never)], 10),
  ],
  appealStatusRu: () => Object.values(AppealStatus).map((s) => texts.appealStatusRu(line(s))),
  statusNotFoundRu: () => [
    texts.statusNotFoundRu('2026-999999', true),
    texts.statusNotFoundRu('2026-1', false),
  ],
  statusUsageRu: () => [texts.statusUsageRu(true), texts.statusUsageRu(false)],
  registeredNoticeRu: () => [
    texts.registeredNoticeRu('2026-000123', '2026-12-22', 30),
    texts.registeredNoticeRu('2026-000123', '2026-12-02', 10),
    texts.registeredNoticeRu('2026-000123', undefined, undefined),
    texts.registeredNoticeRu('2026-000123', null, 21),
    texts.registeredNoticeRu('2026-000123', '2026-12-22', 30, texts.followStatusRu(true)),
    texts.registeredNoticeRu('2026-000123', undefined, undefined, texts.followStatusRu(false)),
  ],
  followStatusRu: () => [texts.followStatusRu(true), texts.followStatusRu(false)],
  PHONE_BUTTON_RU: () => [texts.PHONE_BUTTON_RU],
  phoneRequestRu: () => [texts.phoneRequestRu()],
  followUpReceivedRu: () => [texts.followUpReceivedRu('2026-000123')],
  escalatedNoticeRu: () => [
    texts.escalatedNoticeRu('2026-000123', ['Минтранс', 'Администрация г. Бердска']),
    texts.escalatedNoticeRu('2026-000123', []),
  ],
  reopenedNoticeRu: () => [
    texts.reopenedNoticeRu('2026-000123', 'Министерство ЖКХ', '2027-01-15'),
    texts.reopenedNoticeRu('2026-000123', 'Министерство ЖКХ', undefined),
  ],
  ratingRequestRu: () => [
    texts.ratingRequestRu('2026-000123', true),
    texts.ratingRequestRu('2026-000123', false),
  ],
  ratingAckRu: () =>
    ['appeal-not-found', 'not-applicant', 'already-rated', 'no-answer', 'poor', 'ok', 'something-else'].map(
      texts.ratingAckRu,
    ),
  ratingAlreadyGivenRu: () => [texts.ratingAlreadyGivenRu('2026-000123')],
  ratingWindowClosedRu: () => [texts.ratingWindowClosedRu('2026-000123', 14)],
  ratingThanksRu: () => [
    texts.ratingThanksRu('2026-000123', true),
    texts.ratingThanksRu('2026-000123', false),
  ],
  fileNotAcceptedRu: () =>
    (
      ['too-large', 'type-not-allowed', 'empty', 'too-many', 'not-found', 'refused', 'not-stored'] as const
    ).flatMap((why) => [
      texts.fileNotAcceptedRu('2026-000123', 'Фото двора', why, { maxMegabytes: 10, maxCount: 5 }),
      texts.fileNotAcceptedRu('2026-000123', ' ', why, { maxMegabytes: 20, maxCount: 1 }),
    ]),
};

const EXPIRES = new Date('2027-01-01T03:00:00Z');
const link = (organisation: string, t: string) => ({
  answerId: t,
  organisation,
  url: `https://inbox.test/rate.html?t=${t}`,
  expiresAt: EXPIRES,
});

/**
 * Every text a staff action or a channel's feed sends the citizen (@inbox/appeals applicant-texts: the number and
 * term, the e-mail registration notice, extension, redirection, the answers' message, the rating request under an e-mailed answer and the replies to a rating), called as the workflow calls
 * them, with what staff type as it comes: a closing full stop, extra spaces, nothing at all.
 */
const EVERY_STAFF_TEXT: Record<string, () => string[]> = {
  russianDay: () => [staff.russianDay('2026-12-22'), staff.russianDay(undefined)],
  registrationAndTermRu: () => [
    staff.registrationAndTermRu('2026-000123', '2026-12-22', 30),
    staff.registrationAndTermRu('2026-000123', null, 21),
    staff.registrationAndTermRu('2026-000123', '2026-12-22', undefined),
  ],
  emailRegistrationNoticeRu: () => [
    staff.emailRegistrationNoticeRu('2026-000123', '2026-12-22', 30),
    staff.emailRegistrationNoticeRu('2026-000123', undefined, undefined),
  ],
  extensionNoticeRu: () => [
    staff.extensionNoticeRu('2026-000123', '21.01.2027', 'Запрошены документы в администрации района.'),
    staff.extensionNoticeRu('2026-000123', '21.01.2027', '  нужна выездная  проверка ;'),
    staff.extensionNoticeRu('2026-000123', '21.01.2027', ''),
  ],
  extensionHistoryRu: () => [
    staff.extensionHistoryRu('2027-01-21', 'Запрошены документы в администрации района.'),
    staff.extensionHistoryRu('2027-01-21', undefined),
    staff.extensionHistoryRu(undefined, '  нужна выездная  проверка ;'),
  ],
  redirectionHistoryRu: () => [
    staff.redirectionHistoryRu('Администрация г. Бердска. '),
    staff.redirectionHistoryRu(undefined),
  ],
  redirectionNoticeRu: () => [
    staff.redirectionNoticeRu(
      '2026-000123',
      '19.11.2026',
      'Министерство транспорта и дорожного хозяйства',
      'appeal',
    ),
    staff.redirectionNoticeRu('2026-000123', '19.11.2026', 'Администрация г. Бердска. ', 'appeal'),
    staff.redirectionNoticeRu('2026-000123', '19.11.2026', '', 'appeal'),
    staff.redirectionNoticeRu('2026-000123', '19.11.2026', 'Администрация г. Бердска', 'message'),
  ],
  joinedNoticeRu: () => [
    staff.joinedNoticeRu('2026-000124', '19.11.2026', '2026-000123', 'appeal'),
    staff.joinedNoticeRu('2026-000124', '', '2026-000123', 'message'),
  ],
  joinedHistoryRu: () => [
    staff.joinedHistoryRu('2026-000123', undefined),
    staff.joinedHistoryRu(undefined, '2026-000124'),
    staff.joinedHistoryRu(undefined, undefined),
  ],
  answerMessageText: () => [
    staff.answerMessageText([
      { organisation: 'Министерство ЖКХ и энергетики.', text: 'Горячая вода подана.' },
      { organisation: 'Министерство транспорта', text: 'Яма на дороге заделана.' },
    ]),
  ],
  // The names are the clerk's files' (their Latin extensions are data, not our words): Cyrillic ones here.
  answerFileLinksTextRu: () => [
    staff.answerFileLinksTextRu(
      [{ ...link('ГЖИ', 'a'), fileNames: ['Акт обследования'] }],
      'Asia/Novosibirsk',
    ),
    staff.answerFileLinksTextRu(
      [{ ...link('ГЖИ', 'a'), fileNames: ['Акт', 'Схема двора. '] }],
      'Europe/Moscow',
    ),
    staff.answerFileLinksTextRu(
      [
        { ...link('Минжкх', 'a'), fileNames: ['Акт'] },
        { ...link('Министерство транспорта.', 'b'), fileNames: ['Схема', 'Решение'] },
      ],
      'Europe/Moscow',
    ),
  ],
  FILE_LINK_INVALID_RU: () => [staff.FILE_LINK_INVALID_RU],
  FILE_LINK_EXPIRED_RU: () => [staff.FILE_LINK_EXPIRED_RU],
  ratingLinksTextRu: () => [
    staff.ratingLinksTextRu([link('ГЖИ', 'a')], 'Asia/Novosibirsk'),
    staff.ratingLinksTextRu([link('Минжкх', 'a'), link('Министерство транспорта.', 'b')], 'Europe/Moscow'),
  ],
  RATING_LINK_INVALID_RU: () => [staff.RATING_LINK_INVALID_RU],
  RATING_LINK_EXPIRED_RU: () => [staff.RATING_LINK_EXPIRED_RU],
  ALREADY_RATED_RU: () => [staff.ALREADY_RATED_RU],
  REOPENED_BY_RATING_RU: () => [staff.REOPENED_BY_RATING_RU],
  ratingReplyRu: () =>
    [
      { duplicate: false, poor: false },
      { duplicate: false, poor: true, reopenedAt: 'org' },
      { duplicate: true, poor: true },
      { duplicate: false, poor: false, refused: 'not-applicant' as const },
    ].map((outcome) => staff.ratingReplyRu(outcome).message),
};

/** Telegram's own commands (a–z only, by Telegram's rules) are the one Latin a citizen may read. */
const TELEGRAM_COMMAND = /(?<![\p{L}\d])\/[a-z_]+/gu;
/** A link in an e-mail (the rating page's) is the other. */
const LINK = /https?:\/\/\S+/gu;

describe('bot texts', () => {
  it('writes dates the Russian way and the registration notice with the number and the 30-day term', () => {
    expect(russianDay('2026-12-22')).toBe('22.12.2026');
    expect(registeredNoticeRu('2026-000123', '2026-12-22', 30)).toBe(
      'Обращение зарегистрировано, № 2026-000123.\n' +
        'Срок рассмотрения — 30 дней со дня регистрации, ответ будет направлен не позднее 22.12.2026.',
    );
    expect(registeredNoticeRu('2026-000124', '2026-12-02', 21)).toContain('Срок рассмотрения — 21 день');
    // In a dialogue: how to follow the appeal, in the channel's own words.
    expect(registeredNoticeRu('2026-000123', '2026-12-22', 30, texts.followStatusRu(false))).toBe(
      'Обращение зарегистрировано, № 2026-000123.\n' +
        'Срок рассмотрения — 30 дней со дня регистрации, ответ будет направлен не позднее 22.12.2026.\n' +
        'Узнать, как идёт рассмотрение, можно, написав «Мои обращения».',
    );
    // An event without its term or date (older history rows): no «undefined», no «NaN».
    expect(registeredNoticeRu('2026-000125', undefined)).toBe('Обращение зарегистрировано, № 2026-000125.');
    // The e-mail registration notice says the number and the term in the same words, and where the answer comes.
    expect(staff.emailRegistrationNoticeRu('2026-000123', '2026-12-22', 30)).toBe(
      `${registeredNoticeRu('2026-000123', '2026-12-22', 30)}\nОтвет придёт на этот адрес электронной почты.`,
    );
  });

  it('counts appeals with the right plural form and tells the citizen no internal routing status', () => {
    const many = Array.from({ length: 3 }, () => line(AppealStatus.Registered));
    expect(myAppealsRu(many, 3).split('\n')[0]).toBe('Ваши последние 3 обращения:');
    expect(myAppealsRu([...many, ...many].slice(0, 5), 5).split('\n')[0]).toBe('Ваши последние 5 обращений:');
    expect(texts.appealStatusRu(line(AppealStatus.Returned))).toBe(
      'Обращение № 2026-000123 от 19.11.2026 — На рассмотрении, срок ответа до 17.12.2026.',
    );
    // Passed on: the other organisation answers, in its own term, not by our last day.
    expect(texts.appealStatusRu(line(AppealStatus.Redirected))).toBe(
      'Обращение № 2026-000123 от 19.11.2026 — Перенаправлено по компетенции, ответ направит организация, ' +
        'в которую оно передано.',
    );
  });

  it('has no Latin word, placeholder or code in any text a citizen can receive', () => {
    const exported = Object.keys(texts).filter((name) => name !== 'CONSENT_NOTICE_VERSION');
    expect(exported.filter((name) => !(name in EVERY_TEXT))).toEqual([]);
    expect(Object.keys(staff).filter((name) => !(name in EVERY_STAFF_TEXT))).toEqual([]);
    const all = [
      ...Object.values(EVERY_TEXT).flatMap((make) => make()),
      ...Object.values(EVERY_STAFF_TEXT).flatMap((make) => make()),
      ...Object.values(CITIZEN_STATUS_TEXT_RU),
    ];
    const faults = all.flatMap((text) => {
      const unlinked = text.replace(LINK, 'ссылка');
      const bare = unlinked.replace(TELEGRAM_COMMAND, '');
      const found = [
        ...(bare.match(/[A-Za-z]+/g) ?? []),
        ...(text.match(/undefined|null|NaN|\$\{|\{\{|\[object/g) ?? []),
        ...(/ {2}| [,.:;!?]|[,.:;]{2}/.test(unlinked) ? ['punctuation'] : []),
        // «вы» to the citizen, as in a letter: not «Вы», «Вашего» in the middle of a sentence.
        ...(bare.match(/(?<![.!?:]\s|^|\n|\p{L})(?:Ваш\p{L}*|Вы(?!\p{L}))/gu) ?? []),
        // The law by name is for the consent notice; a notice says what happens, in plain words.
        ...(bare.match(/\(ч\. \d+ ст\. \d+[^)]*\)/gu) ?? []),
      ];
      return found.length > 0 ? [`${found.join(', ')} in «${text}»`] : [];
    });
    expect(faults).toEqual([]);
  });

  it('lists a citizen’s appeals with status and, while it matters, the due date', () => {
    const text = myAppealsRu(
      [
        {
          registrationNumber: '2026-000124',
          registeredOn: '2026-11-20',
          status: AppealStatus.Answered,
          answerDueDate: '2026-12-18',
        },
        {
          registrationNumber: '2026-000123',
          registeredOn: '2026-11-19',
          status: AppealStatus.Escalated,
          answerDueDate: '2026-12-17',
        },
      ],
      10,
    );
    expect(text.split('\n')).toEqual([
      'Ваши обращения:',
      '№ 2026-000124 от 20.11.2026 — Дан ответ',
      '№ 2026-000123 от 19.11.2026 — Передано в профильный орган, срок ответа до 17.12.2026',
    ]);
    expect(myAppealsRu([], 10)).toMatch(/^У вас пока нет зарегистрированных обращений/);
  });

  it('tells the citizen which file was not kept, why, and that the appeal stands without it', () => {
    const limits = { maxMegabytes: 10, maxCount: 5 };
    expect(texts.fileNotAcceptedRu('2026-000123', 'видео.mov', 'too-large', limits)).toBe(
      'Файл «видео.mov» не принят: он больше 10 МБ. Обращение № 2026-000123 зарегистрировано без него. Если он ' +
        'нужен, отправьте его в этот чат ещё раз как фото или документ до 10 МБ.',
    );
    expect(texts.fileNotAcceptedRu('2026-000123', 'схема.jpg', 'too-many', limits)).toBe(
      'Файл «схема.jpg» не принят: к обращению можно приложить не больше 5 файлов. Обращение № 2026-000123 ' +
        'зарегистрировано без него.',
    );
    expect(texts.fileNotAcceptedRu('2026-000123', 'фото.jpg', 'not-stored', limits)).toBe(
      'Файл «фото.jpg» не удалось сохранить. Обращение № 2026-000123 зарегистрировано без него. Если он нужен, ' +
        'отправьте его в этот чат ещё раз как фото или документ до 10 МБ.',
    );
    expect(texts.fileNotAcceptedRu('2026-000123', 'a.jpg', 'too-many', { ...limits, maxCount: 1 })).toContain(
      'не больше 1 файла.',
    );
  });

  it('asks for consent and a rating by button where there are buttons, in words where not', () => {
    expect(consentLabelRu(40).length).toBeLessThanOrEqual(40);
    expect(consentHowRu(consentLabelRu(64))).toContain('«Согласен на обработку персональных данных»');
    expect(consentHowRu(undefined)).toContain('словом «Согласен»');
    expect(ratingRequestRu('2026-000123', true)).toContain('Ответьте кнопками ниже.');
    expect(ratingRequestRu('2026-000123', false)).toContain('Например: 1 1');
    expect(ratingRequestRu('2026-000123', false)).toContain('Получен ли ответ на ваш вопрос?');
  });
});
