import { compilePhrase, containsPhrase, findPhrases, stemText } from './phrases';

describe('phrase matching by stems', () => {
  it('finds a phrase whatever the case endings', () => {
    const text = stemText('Во дворе открытого люка никто не закрывает, а ещё упало дерево на машину');
    expect(containsPhrase(text, compilePhrase('открытый люк'))).toBe(true);
    expect(containsPhrase(text, compilePhrase('упало дерево'))).toBe(true);
    expect(containsPhrase(text, compilePhrase('люк открытый'))).toBe(false);
    expect(containsPhrase(text, compilePhrase(''))).toBe(false);
  });

  it('matches a starred word by its beginning', () => {
    const text = stemText('Замерзаем третьи сутки');
    expect(containsPhrase(text, compilePhrase('замерза*'))).toBe(true);
    expect(containsPhrase(text, compilePhrase('замерзли*'))).toBe(false);
  });

  it('lists the phrases found', () => {
    expect(
      findPhrases(stemText('Нет отопления, холодные батареи'), ['нет отопления', 'холодные батареи', 'яма']),
    ).toEqual(['нет отопления', 'холодные батареи']);
  });
});
