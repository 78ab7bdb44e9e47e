import { feminineSurname, genitiveSurname, transliterate } from './demo-people';

describe('demo people', () => {
  it('derives feminine surnames', () => {
    expect(feminineSurname('Иванов')).toBe('Иванова');
    expect(feminineSurname('Ильин')).toBe('Ильина');
    expect(feminineSurname('Вишневский')).toBe('Вишневская');
    expect(feminineSurname('Белецкий')).toBe('Белецкая');
    expect(feminineSurname('Толстой')).toBe('Толстая');
    expect(feminineSurname('Шевченко')).toBe('Шевченко');
    expect(feminineSurname('Черных')).toBe('Черных');
  });

  it('puts surnames in the genitive', () => {
    expect(genitiveSurname('Иванов', 'male')).toBe('Иванова');
    expect(genitiveSurname('Иванова', 'female')).toBe('Ивановой');
    expect(genitiveSurname('Вишневский', 'male')).toBe('Вишневского');
    expect(genitiveSurname('Вишневская', 'female')).toBe('Вишневской');
    expect(genitiveSurname('Шевченко', 'male')).toBe('Шевченко');
  });

  it('transliterates to latin', () => {
    expect(transliterate('Щукина Юлия')).toBe('shchukina yuliya');
  });
});
