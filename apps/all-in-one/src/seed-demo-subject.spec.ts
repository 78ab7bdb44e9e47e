import { subjectOf } from './seed-demo-subject';

describe('subjectOf (the demo seed gives an item without a subject)', () => {
  it('ends at a clause, not 80 characters ending mid-sentence', () => {
    expect(
      subjectOf(
        'Просим установить детскую площадку в п. Кедровый Лог: детям негде играть, кроме как на дороге у магазина.',
      ),
    ).toBe('Просим установить детскую площадку в п. Кедровый Лог: детям негде играть');
  });

  it('cuts a text without a clause at a word, with «…»', () => {
    const subject = subjectOf(
      'Третий день нет горячей воды в доме номер семнадцать по улице Гоголя в городе Северске и никто не приходит',
    );
    expect(subject).toBe('Третий день нет горячей воды в доме номер семнадцать по улице Гоголя в городе…');
    expect(subject.length).toBeLessThanOrEqual(81);
  });

  it("does not end at an address's comma", () => {
    expect(
      subjectOf(
        'Добрый день! Во дворе дома по ул. Мичурина, 92 третью неделю стоит брошенный автомобиль без колёс',
      ),
    ).toBe('Добрый день! Во дворе дома по ул. Мичурина, 92 третью неделю стоит брошенный…');
  });

  it('keeps a short text whole, without its final full stop', () => {
    expect(subjectOf('Не вывозят мусор.')).toBe('Не вывозят мусор');
  });
});
