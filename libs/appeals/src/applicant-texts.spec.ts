import {
  answerFileLinksTextRu,
  answerMessageText,
  extensionHistoryRu,
  extensionNoticeRu,
  ratingLinksTextRu,
  ratingReplyRu,
  redirectionHistoryRu,
  redirectionNoticeRu,
} from './applicant-texts';

describe('extensionNoticeRu', () => {
  it('tells the citizen the new last day and the reason, in one sentence each, without a doubled full stop', () => {
    expect(
      extensionNoticeRu('2026-000123', '21.01.2027', 'Запрошены документы в администрации района.'),
    ).toBe(
      'Срок рассмотрения вашего обращения № 2026-000123 продлён: ответ будет направлен не позднее 21.01.2027. ' +
        'Причина: запрошены документы в администрации района.',
    );
    expect(extensionNoticeRu('2026-000123', '21.01.2027', 'МФЦ не прислал  справку;')).toMatch(
      /Причина: МФЦ не прислал справку\.$/,
    );
    expect(extensionNoticeRu('2026-000123', '21.01.2027', ' . ')).toMatch(/21\.01\.2027\.$/);
  });
});

describe('redirectionNoticeRu', () => {
  it('names the organisation after a colon, whatever its gender, and says who answers now', () => {
    expect(redirectionNoticeRu('2026-000123', '19.11.2026', 'Администрация г. Бердска.', 'appeal')).toBe(
      'Ваше обращение № 2026-000123 от 19.11.2026 передано в организацию, которая решает такие вопросы: ' +
        'Администрация г. Бердска. Ответ вам направит она.',
    );
    expect(redirectionNoticeRu('2026-000123', '19.11.2026', '  ', 'appeal')).not.toContain(':');
  });

  it('calls a message outside 59-ФЗ (a post in a social network) a message, not an appeal', () => {
    expect(redirectionNoticeRu('2026-000124', '19.11.2026', 'Администрация г. Бердска', 'message')).toBe(
      'Ваше сообщение № 2026-000124 от 19.11.2026 передано в организацию, которая решает такие вопросы: ' +
        'Администрация г. Бердска. Ответ вам направит она.',
    );
  });
});

describe('the status page history of an extension and a redirection', () => {
  it('says the new last day and the reason, from the event, as the notice said them', () => {
    expect(extensionHistoryRu('2027-01-21', 'Запрошены документы в администрации района.')).toBe(
      'Срок рассмотрения продлён: ответ будет направлен не позднее 21.01.2027. ' +
        'Причина: запрошены документы в администрации района.',
    );
    // An event recorded without them (never «undefined»).
    expect(extensionHistoryRu(undefined, undefined)).toBe('Срок рассмотрения продлён.');
  });

  it('says where the appeal went and who answers now', () => {
    expect(redirectionHistoryRu('Администрация г. Бердска.')).toBe(
      'Обращение передано в организацию, которая решает такие вопросы: Администрация г. Бердска. ' +
        'Ответ вам направит она.',
    );
    expect(redirectionHistoryRu(null)).not.toContain(':');
  });
});

describe('answerMessageText', () => {
  it('sends a single answer exactly as written', () => {
    expect(answerMessageText([{ organisation: 'Министерство ЖКХ', text: 'Вода подана.\n' }])).toBe(
      'Вода подана.\n',
    );
  });

  it('joins several answers, each under its organisation, in the order given', () => {
    const text = answerMessageText([
      { organisation: 'Министерство жилищно-коммунального хозяйства', text: '  Горячая вода подана.  ' },
      { organisation: 'Министерство транспорта', text: 'Яма на дороге заделана.' },
    ]);
    expect(text).toBe(
      'По вашему обращению ответили организации (2).\n\n' +
        'Министерство жилищно-коммунального хозяйства:\nГорячая вода подана.\n\n' +
        'Министерство транспорта:\nЯма на дороге заделана.',
    );
  });

  it('refuses to make a message without any answer', () => {
    expect(() => answerMessageText([])).toThrow();
  });
});

describe('ratingLinksTextRu', () => {
  const expiresAt = new Date('2027-01-01T03:00:00Z');

  it('asks for one answer with its link and the last day in the appeal zone', () => {
    const text = ratingLinksTextRu(
      [{ answerId: 'a', organisation: 'ГЖИ', url: 'https://inbox.test/rate.html?t=x', expiresAt }],
      'Asia/Novosibirsk',
    );
    expect(text.split('\n')).toEqual([
      '',
      '',
      '—',
      'Пожалуйста, оцените ответ: получен ли ответ на ваш вопрос и удовлетворены ли вы им.',
      'https://inbox.test/rate.html?t=x',
      'Ссылка личная, не пересылайте письмо. Оценить ответ можно один раз, ссылка действует до 1 января 2027 г.',
    ]);
  });

  it('names each answer of a combined letter by its organisation, and speaks of the links in the plural', () => {
    const text = ratingLinksTextRu(
      [
        { answerId: 'a', organisation: 'Минжкх', url: 'https://inbox.test/rate.html?t=a', expiresAt },
        { answerId: 'b', organisation: 'Минтранс', url: 'https://inbox.test/rate.html?t=b', expiresAt },
      ],
      'Europe/Moscow',
    );
    expect(text).toContain('Пожалуйста, оцените ответы');
    expect(text).toContain(
      'Ответ организации «Минжкх»: https://inbox.test/rate.html?t=a\n' +
        'Ответ организации «Минтранс»: https://inbox.test/rate.html?t=b',
    );
    expect(text).toContain(
      'Ссылки личные, не пересылайте письмо. Каждый ответ можно оценить один раз, ссылки действуют до 1 января 2027 г.',
    );
  });

  it('adds nothing to a letter that brings no answer', () => {
    expect(ratingLinksTextRu([], 'Europe/Moscow')).toBe('');
  });
});

describe('ratingReplyRu', () => {
  it('thanks, says when the appeal goes up, and that an answer is rated once', () => {
    expect(ratingReplyRu({ duplicate: false, poor: false })).toEqual({
      accepted: true,
      reopened: false,
      message: 'Спасибо за оценку',
    });
    expect(ratingReplyRu({ duplicate: false, poor: true, reopenedAt: 'org' })).toEqual({
      accepted: true,
      reopened: true,
      message: 'Спасибо за оценку. Обращение направлено на повторное рассмотрение в вышестоящую организацию.',
    });
    expect(ratingReplyRu({ duplicate: true, poor: true, refused: 'already-rated' })).toEqual({
      accepted: false,
      reopened: false,
      message: 'Этот ответ уже оценён',
    });
  });
});

describe('answerFileLinksTextRu', () => {
  const expiresAt = new Date('2027-01-01T03:00:00Z');
  const url = 'https://inbox.test/answer-files.html#t=x';

  it('names the file and gives its link with the last day in the appeal zone', () => {
    const text = answerFileLinksTextRu(
      [{ answerId: 'a', organisation: 'ГЖИ', url, expiresAt, fileNames: ['Акт.pdf'] }],
      'Asia/Novosibirsk',
    );
    expect(text.split('\n')).toEqual([
      '',
      '',
      'К ответу приложен файл «Акт.pdf».',
      'Файлы здесь не передаются: скачайте его по ссылке',
      url,
      'Ссылка личная, не пересылайте её. Она действует до 1 января 2027 г.',
    ]);
    expect(answerFileLinksTextRu([], 'Europe/Moscow')).toBe('');
  });

  it('gives a combined answer a link per answer with files, each named by its organisation', () => {
    const text = answerFileLinksTextRu(
      [
        { answerId: 'a', organisation: 'Минжкх', url: `${url}a`, expiresAt, fileNames: ['Акт.pdf'] },
        {
          answerId: 'b',
          organisation: 'Минтранс',
          url: `${url}b`,
          expiresAt,
          fileNames: ['Схема.png', 'Решение.pdf'],
        },
      ],
      'Europe/Moscow',
    );
    expect(text).toContain(
      'К ответам приложены файлы (3). Файлы здесь не передаются: скачайте их по ссылкам.',
    );
    expect(text).toContain(
      `Ответ организации «Минжкх» («Акт.pdf»): ${url}a\n` +
        `Ответ организации «Минтранс» («Схема.png», «Решение.pdf»): ${url}b`,
    );
    expect(text).toContain('Ссылки личные, не пересылайте их. Они действуют до 1 января 2027 г.');
  });
});
