import { ratingLinksTextRu, ratingReplyRu } from './rating-links.service';

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
      'Ссылка личная, не пересылайте письмо. Она действует до 1 января 2027 г.; каждый ответ оценивается один раз.',
    ]);
  });

  it('names each answer of a combined letter by its organisation', () => {
    const text = ratingLinksTextRu(
      [
        { answerId: 'a', organisation: 'Минжкх', url: 'https://inbox.test/rate.html?t=a', expiresAt },
        { answerId: 'b', organisation: 'Минтранс', url: 'https://inbox.test/rate.html?t=b', expiresAt },
      ],
      'Europe/Moscow',
    );
    expect(text).toContain('Пожалуйста, оцените ответы');
    expect(text).toContain(
      'Ответ Минжкх: https://inbox.test/rate.html?t=a\nОтвет Минтранс: https://inbox.test/rate.html?t=b',
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
