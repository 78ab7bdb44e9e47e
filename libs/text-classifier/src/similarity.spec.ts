import { addressKey, jaccard, minHashBands, wordShingles } from './similarity';
import { tokenize } from './text';

describe('near-duplicate texts', () => {
  const base =
    'На улице Ленина возле дома 15 уже третий день открыт канализационный люк, рядом ходят дети, просим срочно закрыть';

  it('shingles words in threes, case and ё folded', () => {
    expect([...wordShingles('Ёлка у Дома стоит')]).toEqual(['елка у дома', 'у дома стоит']);
    expect([...wordShingles('Спасибо!')]).toEqual(['спасибо']);
    expect(wordShingles('!!!').size).toBe(0);
  });

  it('gives the same shingles at the usual width as at any other, in text order, repeats once', () => {
    const text = `${base}. Люк открыт, люк открыт, люк открыт`;
    const words = tokenize(text, 20_000);
    const joined = (n: number) =>
      words.slice(0, words.length - n + 1).map((_, i) => words.slice(i, i + n).join(' '));
    expect([...wordShingles(text)]).toEqual([...new Set(joined(3))]);
    expect([...wordShingles(text, 2)]).toEqual([...new Set(joined(2))]);
    expect([...wordShingles('два слова')]).toEqual(['два слова']);
  });

  it('scores near-identical texts high and different ones low', () => {
    const copy = wordShingles(`${base}!!!`);
    const variant = wordShingles(base.replace('третий', 'четвёртый'));
    const other = wordShingles('Прошу сообщить график работы библиотеки в выходные и праздничные дни');
    expect(jaccard(wordShingles(base), copy)).toBe(1);
    expect(jaccard(wordShingles(base), variant)).toBeGreaterThan(0.6);
    expect(jaccard(wordShingles(base), other)).toBe(0);
    expect(jaccard(new Set(), copy)).toBe(0);
  });

  it('gives near-identical texts a shared LSH band and unrelated ones (almost always) none', () => {
    const a = minHashBands(wordShingles(base));
    const b = minHashBands(wordShingles(base.replace('третий', 'четвёртый')));
    const c = minHashBands(
      wordShingles('Прошу сообщить график работы библиотеки в выходные и праздничные дни'),
    );
    expect(a).toHaveLength(12);
    expect(a.every((k) => /^\d+$/.test(k) && Number(k) < 2 ** 36)).toBe(true);
    expect(a.some((k) => b.includes(k))).toBe(true);
    expect(a.some((k) => c.includes(k))).toBe(false);
    expect(minHashBands(new Set())).toEqual([]);
  });

  it('normalises addresses to locality, street and house, without the flat', () => {
    expect(addressKey('г. Северогорск, ул. Ленина, д. 15, кв. 4')).toBe('северогорск|ленина|15');
    expect(addressKey('Северогорск, улица Ленина, 15')).toBe('северогорск|ленина|15');
    expect(addressKey('630099, г. Новосибирск, пр. Красный, 12А')).toBe('новосибирск|красный|12а');
    expect(addressKey('ул. Кирова, 12')).toBe('|кирова|12');
    expect(addressKey('15')).toBeUndefined();
    expect(addressKey(null)).toBeUndefined();
  });
});
