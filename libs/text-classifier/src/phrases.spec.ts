import { compiledPhrase, compilePhrase, containsPhrase, findPhrases, stemText } from './phrases';

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

  it('compiles each phrase once and finds the same phrases the second time', () => {
    const phrases = ['нет отопления', 'замерза*', 'яма', ''];
    expect(compiledPhrase('замерза*')).toEqual(compilePhrase('замерза*'));
    expect(compiledPhrase('замерза*')).toBe(compiledPhrase('замерза*'));
    const text = stemText('Нет отопления, замерзаем');
    expect(findPhrases(text, phrases)).toEqual(['нет отопления', 'замерза*']);
    expect(findPhrases(text, phrases)).toEqual(['нет отопления', 'замерза*']);
    expect(findPhrases(stemText('Яма на дороге'), phrases)).toEqual(['яма']);
  });
});
