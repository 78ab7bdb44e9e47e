import { countRu, pluralRu } from './plural-ru';

describe('pluralRu', () => {
  it('picks the form Russian grammar asks for', () => {
    const days = (n: number) => countRu(n, 'день', 'дня', 'дней');
    expect([0, 1, 2, 4, 5, 10, 11, 12, 14, 21, 22, 25, 30, 101, 111, 112].map(days)).toEqual([
      '0 дней',
      '1 день',
      '2 дня',
      '4 дня',
      '5 дней',
      '10 дней',
      '11 дней',
      '12 дней',
      '14 дней',
      '21 день',
      '22 дня',
      '25 дней',
      '30 дней',
      '101 день',
      '111 дней',
      '112 дней',
    ]);
    expect(pluralRu(3, 'обращение', 'обращения', 'обращений')).toBe('обращения');
  });
});
