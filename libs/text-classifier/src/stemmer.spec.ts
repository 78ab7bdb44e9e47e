import { CachedStemmer, stemRussian } from './stemmer';

describe('stemRussian (Snowball)', () => {
  // Pairs checked against the reference Snowball implementation.
  const pairs: [string, string][] = [
    ['важнейшие', 'важн'],
    ['подъезде', 'подъезд'],
    ['мусора', 'мусор'],
    ['парадной', 'парадн'],
    ['дворе', 'двор'],
    ['убрать', 'убра'],
    ['освещение', 'освещен'],
    ['вернулся', 'вернул'],
    ['говорила', 'говор'],
    ['красивая', 'красив'],
    ['несомненно', 'несомнен'],
    ['обязательно', 'обязательн'],
    ['вопросы', 'вопрос'],
    ['жизни', 'жизн'],
    ['книги', 'книг'],
    ['вечером', 'вечер'],
    ['взять', 'взят'],
    ['великий', 'велик'],
    ['ведь', 'вед'],
    ['в', 'в'],
  ];

  it.each(pairs)('%s → %s', (word, stem) => {
    expect(stemRussian(word)).toBe(stem);
  });

  it('treats ё as е', () => {
    expect(stemRussian('ёлками')).toBe(stemRussian('елками'));
  });

  it('leaves words without vowels and Latin words alone', () => {
    expect(stemRussian('спб')).toBe('спб');
    expect(stemRussian('wifi')).toBe('wifi');
  });

  it('caches results', () => {
    const stemmer = new CachedStemmer(2);
    expect(stemmer.stem('дворах')).toBe('двор');
    expect(stemmer.stem('дворах')).toBe('двор');
    expect(stemmer.stem('крыши')).toBe('крыш');
    expect(stemmer.stem('сосульки')).toBe('сосульк');
  });
});
