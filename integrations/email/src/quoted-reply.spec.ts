import { isReplyLetter, splitQuotedReply } from './quoted-reply';

// Our own replies in the shapes the mail programs write them (plain-text parts, as they arrive).
const OURS = [
  'Здравствуйте!',
  '',
  'Перерасчёт за октябрь выполнен, сумма будет учтена в квитанции за ноябрь.',
];
const quoted = (prefix = '> ') => OURS.map((l) => (l ? `${prefix}${l}` : prefix.trim())).join('\n');
const WORDS = 'Спасибо, но в квитанции за ноябрь перерасчёта нет.\nЛицевой счёт 4455667.';
const reply = { isReply: true };

describe('splitQuotedReply: the quote below a citizen reply, by mail program', () => {
  it.each([
    ['Thunderbird', '18.11.2026 9:40, Единый центр обращений граждан пишет:'],
    ['Gmail in Russian', 'пн, 1 дек. 2025 г. в 10:00, Единый центр <obr@gov.example.ru>:'],
    [
      'Gmail, the attribution wrapped',
      'On Mon, Dec 1, 2025 at 10:00 AM Единый центр обращений <\nobr@gov.example.ru> wrote:',
    ],
    ['Yandex', '01.12.2025, 10:00, "Единый центр" <obr@gov.example.ru>:'],
    ['Mail.ru', 'Понедельник, 1 декабря 2025, 10:00 +03:00 от obr@gov.example.ru:'],
    ['Apple Mail in Russian', '1 дек. 2025 г., в 10:00, Единый центр <obr@gov.example.ru> написал(а):'],
    ['The Bat!', 'Monday, December 1, 2025, 10:00:00 AM, you wrote:'],
  ])('%s: the words stay, the attribution and the quote go apart', (_client, attribution) => {
    const letter = `${WORDS}\n\n${attribution}\n${quoted()}\n`;
    expect(splitQuotedReply(letter, reply)).toEqual({ text: WORDS, quoted: `${attribution}\n${quoted()}` });
  });

  it('Mail.ru with the attribution inside the quote, and nested quotes', () => {
    const q = `>Понедельник, 1 декабря 2025, 10:00 +03:00 от obr@gov.example.ru:\n>\n${quoted('>')}\n>> Ранее: прошу сделать перерасчёт`;
    expect(splitQuotedReply(`${WORDS}\n\n\n${q}`, reply)).toEqual({ text: WORDS, quoted: q });
  });

  it('Outlook in Russian: «-----Исходное сообщение-----» and the header block, without `>`', () => {
    const block = [
      '-----Исходное сообщение-----',
      'От: Единый центр обращений граждан <obr@gov.example.ru>',
      'Отправлено: 1 декабря 2025 г. 10:00',
      'Кому: Иванов Иван <ivanov@mail.example>',
      'Тема: Ответ на обращение № 12',
      '',
      ...OURS,
    ].join('\n');
    expect(splitQuotedReply(`${WORDS}\n\n${block}`, reply)).toEqual({ text: WORDS, quoted: block });
  });

  it('Outlook Web / new Outlook: a rule of underscores, then «От:/Отправлено:/Кому:/Тема:»; English Outlook', () => {
    const ru = [
      '________________________________',
      'От: Единый центр обращений граждан <obr@gov.example.ru>',
      'Отправлено: 1 декабря 2025 г. 10:00',
      'Кому: ivanov@mail.example',
      'Тема: Ответ на обращение',
      '',
      ...OURS,
    ].join('\n');
    expect(splitQuotedReply(`${WORDS}\n\n${ru}`, reply)).toEqual({ text: WORDS, quoted: ru });
    const en = [
      '-----Original Message-----',
      'From: obr@gov.example.ru',
      'Sent: Monday, December 1, 2025 10:00 AM',
      'To: ivanov@mail.example',
      'Subject: Ответ на обращение',
      '',
      ...OURS,
    ].join('\n');
    expect(splitQuotedReply(`${WORDS}\r\n\r\n${en.replace(/\n/g, '\r\n')}`, reply)).toEqual({
      text: WORDS,
      quoted: en,
    });
  });

  it("an HTML letter's rule (<hr> as text) above Outlook's block goes with the block", () => {
    const block = [
      '----------------------------------------',
      '',
      'От: Единый центр обращений граждан <obr@gov.example.ru>',
      'Отправлено: 1 декабря 2025 г. 10:00',
      'Кому: ivanov@mail.example',
      'Тема: Ответ на обращение',
      '',
      ...OURS,
    ].join('\n');
    expect(splitQuotedReply(`${WORDS}\n\n${block}`, reply)).toEqual({ text: WORDS, quoted: block });
  });

  it('keeps the signature under the words (a name and an address are the citizen’s)', () => {
    const signed = `${WORDS}\n\n--\nИванов И. И., ул. Ленина, 5`;
    const letter = `${signed}\n\n18.11.2026 9:40, Центр пишет:\n${quoted()}`;
    expect(splitQuotedReply(letter, reply).text).toBe(signed);
  });

  it('bottom-posting (the words under the quote) keeps the words too', () => {
    const letter = `18.11.2026 9:40, Центр пишет:\n${quoted()}\n\n${WORDS}\n`;
    expect(splitQuotedReply(letter, reply)).toEqual({
      text: WORDS,
      quoted: `18.11.2026 9:40, Центр пишет:\n${quoted()}`,
    });
  });
});

describe('splitQuotedReply: what is not a quote to set apart', () => {
  it('an answer written point by point between the quoted lines stays whole', () => {
    const letter = `Центр пишет:\n> Укажите номер счёта.\nСчёт 4455667.\n> Укажите адрес.\nул. Ленина, 5.`;
    expect(splitQuotedReply(letter, reply)).toEqual({ text: letter });
  });

  it('a letter that is all quote (nothing of the citizen’s own) stays whole', () => {
    const letter = `18.11.2026 9:40, Центр пишет:\n${quoted()}`;
    expect(splitQuotedReply(letter, reply)).toEqual({ text: letter });
  });

  it('one `>` line of the citizen’s own, and a `>` block without an attribution line in mid-text', () => {
    const mark = 'Долг вырос:\n> 5 000 рублей\nПрошу разобраться.';
    expect(splitQuotedReply(mark, reply)).toEqual({ text: mark });
  });

  it('`>` lines without an attribution in a letter that answers nothing: what the citizen cites', () => {
    const cites = 'Прошу разъяснить пункт договора:\n> 4.1. Исполнитель обязан\n> 4.2. Заказчик вправе';
    expect(splitQuotedReply(cites, { isReply: false })).toEqual({ text: cites });
    expect(splitQuotedReply(cites, reply)).toEqual({
      text: 'Прошу разъяснить пункт договора:',
      quoted: '> 4.1. Исполнитель обязан\n> 4.2. Заказчик вправе',
    });
  });

  it('a forwarded letter (a citizen sends us what the managing company wrote) is the citizen’s business', () => {
    const fwd = [
      'Посмотрите, что мне ответили:',
      '',
      '-------- Пересылаемое сообщение --------',
      'От: УК «Дом» <uk@dom.example>',
      'Дата: 1 декабря 2025 г., 10:00',
      'Тема: Отказ',
      '',
      'В перерасчёте отказано.',
    ].join('\n');
    expect(splitQuotedReply(fwd, reply)).toEqual({ text: fwd });
    const outlookForward = fwd.replace(
      '-------- Пересылаемое сообщение --------',
      '-----Original Message-----',
    );
    expect(splitQuotedReply(outlookForward, { isReply: false })).toEqual({ text: outlookForward });
  });

  it('a formal letter heading «От: … Кому: … Тема: …» without a date is no Outlook quote', () => {
    const formal = 'Прошу ответить.\n\nОт: Иванова И. И.\nКому: главе района\nТема: снег\n\nТекст жалобы.';
    expect(splitQuotedReply(formal, reply)).toEqual({ text: formal });
  });
});

// No clock read: sized so that linear time is a second at most and quadratic time is past the test's timeout.
describe('splitQuotedReply: in linear time', () => {
  it('a letter of 200 000 rule lines, and a line of 800 000 dated words above a quote, take no time', () => {
    const rules = `${WORDS}\n${'__________\n'.repeat(200_000)}`;
    expect(splitQuotedReply(rules, reply)).toEqual({ text: rules.trim() });
    const long = `${'01.12.2025 10:00 '.repeat(800_000)}x\n> цитата\n> цитата`;
    expect(splitQuotedReply(long, reply).text.startsWith('01.12.2025')).toBe(true);
  }, 30_000);
});

describe('isReplyLetter', () => {
  it('a reply by In-Reply-To/References or by «Re:»/«Ответ:»; a forward never', () => {
    expect(isReplyLetter('Снег', true)).toBe(true);
    expect(isReplyLetter('RE[2]: Снег', false)).toBe(true);
    expect(isReplyLetter('Ответ: Снег', false)).toBe(true);
    expect(isReplyLetter('Fwd: Re: Снег', true)).toBe(false);
    expect(isReplyLetter('Пересл: Снег', false)).toBe(false);
    expect(isReplyLetter('Снег', false)).toBe(false);
    expect(isReplyLetter(undefined, false)).toBe(false);
  });
});
