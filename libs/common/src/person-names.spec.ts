import { maskPersonNames, NAME_MASK, personNameMask } from './person-names';

describe('personNameMask', () => {
  const osipov = personNameMask({ surname: 'Осипов', firstName: 'Вадим', patronymic: 'Романович' });

  it('masks a surname in another case with the initials beside it, and a full name as one mask', () => {
    expect(osipov('обращение гражданина Осипова В. Р. (вх. № П8-14957)')).toBe(
      `обращение гражданина ${NAME_MASK} (вх. № П8-14957)`,
    );
    expect(osipov('С уважением,\nОсипов Вадим Романович\nТел.')).toBe(`С уважением,\n${NAME_MASK}\nТел.`);
    expect(osipov('В.Р. Осипову ответили')).toBe(`${NAME_MASK} ответили`);
    expect(osipov('ОСИПОВ ВАДИМ')).toBe(NAME_MASK);
  });

  it('leaves other words alone: a name as part of a longer word, or in lower case', () => {
    const lev = personNameMask({ firstName: 'Лев', surname: 'Гагарин' });
    expect(lev('на левом берегу, ул. Гагаринская, 5')).toBe('на левом берегу, ул. Гагаринская, 5');
    expect(lev('Лев Гагарин')).toBe(NAME_MASK);
    expect(personNameMask({ firstName: 'Мария' })('Марии Ивановне')).toBe(`${NAME_MASK} Ивановне`);
  });

  it('changes nothing when no name is known, and a name is taken literally', () => {
    expect(personNameMask({ surname: null, displayName: '' })('Текст')).toBe('Текст');
    expect(personNameMask({ displayName: 'a.*b (x)' })('a.*b и текст')).toBe('a.*b и текст');
  });
});

describe('maskPersonNames', () => {
  it('masks every string of a value, however deep, and keeps dates and numbers', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    const card = { text: 'Пишет Смирнова А.', at, n: 5, history: [{ details: { text: 'Смирнова снова' } }] };
    expect(maskPersonNames(card, { surname: 'Смирнова' })).toEqual({
      text: `Пишет ${NAME_MASK}`,
      at,
      n: 5,
      history: [{ details: { text: `${NAME_MASK} снова` } }],
    });
  });
});
