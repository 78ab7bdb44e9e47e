import { isConsentReply, parseRatingReply, parseTextCommand } from './commands';

describe('text commands (VK and OK dialogues)', () => {
  it('knows the commands as whole messages, in either script', () => {
    expect(parseTextCommand('Начать')).toEqual({ action: 'start' });
    expect(parseTextCommand(' /start ')).toEqual({ action: 'start' });
    expect(parseTextCommand('Помощь!')).toEqual({ action: 'help' });
    expect(parseTextCommand('Мои обращения')).toEqual({ action: 'list-appeals' });
    expect(parseTextCommand('/status 2026-000123')).toEqual({
      action: 'appeal-status',
      value: '2026-000123',
    });
    expect(parseTextCommand('Статус обращения № 2026-000124')).toEqual({
      action: 'appeal-status',
      value: '2026-000124',
    });
    expect(parseTextCommand('статус')).toEqual({ action: 'appeal-status' });
    expect(parseTextCommand('/вопрос Когда включат отопление?')).toEqual({
      action: 'faq',
      value: 'когда включат отопление',
    });
    expect(parseTextCommand('/faq')).toEqual({ action: 'faq' });
  });

  it('leaves an appeal that merely mentions a command word alone', () => {
    expect(parseTextCommand('Помощь нужна срочно: во дворе прорвало трубу')).toBeUndefined();
    expect(parseTextCommand('Какой статус у ремонта дороги на ул. Ленина?')).toBeUndefined();
    // The FAQ command needs its slash: an appeal may well begin with «Вопрос».
    expect(parseTextCommand('Вопрос: когда включат отопление в доме 5?')).toBeUndefined();
    expect(parseTextCommand('')).toBeUndefined();
  });

  it('reads a typed consent, and nothing else, as consent', () => {
    for (const yes of ['Согласен', 'согласна.', 'Да', 'Да, согласен', 'Я согласен!', 'даю согласие']) {
      expect(isConsentReply(yes)).toBe(true);
    }
    // As people type in a chat: an emoji, a typed smile, an ellipsis.
    for (const yes of ['Согласен 👍', '👌 согласна', 'Да)', 'Да, согласен 🙂🙂', 'Согласна…', 'Да 👍🏻']) {
      expect(isConsentReply(yes)).toBe(true);
    }
    for (const no of [
      'Не согласен',
      'согласен ли я?? нет',
      'Нет',
      'Во дворе яма, согласен?',
      '👍',
      'Нет 👎',
    ]) {
      expect(isConsentReply(no)).toBe(false);
    }
  });

  it('parses a rating typed as two digits and refuses anything else', () => {
    expect(parseRatingReply('1 1')).toEqual({ answered: true, satisfaction: 'satisfied' });
    expect(parseRatingReply('2-3')).toEqual({ answered: false, satisfaction: 'not-satisfied' });
    expect(parseRatingReply('1/2')).toEqual({ answered: true, satisfaction: 'partially' });
    expect(parseRatingReply('13')).toEqual({ answered: true, satisfaction: 'not-satisfied' });
    // As people type in a chat: a closing full stop, an emoji, a typed smile.
    expect(parseRatingReply('2 3.')).toEqual({ answered: false, satisfaction: 'not-satisfied' });
    expect(parseRatingReply('1 1 👍')).toEqual({ answered: true, satisfaction: 'satisfied' });
    expect(parseRatingReply('1 2)')).toEqual({ answered: true, satisfaction: 'partially' });
    for (const other of ['1', '3 1', '1 4', 'ул. Ленина, 12', '12 3', '👍', '12 домов без света', '1 4 дом'])
      expect(parseRatingReply(other)).toBeUndefined();
  });

  it('parses the two digits followed by a comment, keeping the comment', () => {
    expect(parseRatingReply('2 3 яму так и не заделали')).toEqual({
      answered: false,
      satisfaction: 'not-satisfied',
      comment: 'яму так и не заделали',
    });
    expect(parseRatingReply('1 1, спасибо!')).toEqual({
      answered: true,
      satisfaction: 'satisfied',
      comment: 'спасибо',
    });
    expect(parseRatingReply('1-2 — только частично\nвторой подъезд не убран')).toEqual({
      answered: true,
      satisfaction: 'partially',
      comment: 'только частично\nвторой подъезд не убран',
    });
    expect(parseRatingReply('2 3 😡')).toEqual({ answered: false, satisfaction: 'not-satisfied' });
  });
});
