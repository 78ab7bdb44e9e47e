import { DEFAULT_FEATURE_CONFIG, Featurizer } from './features';
import { repeatFirstSentence, tokenize } from './text';

describe('tokenize', () => {
  it('lower-cases, folds ё, drops digits, punctuation and de-personalisation masks', () => {
    expect(tokenize('Ёлка у д.5, XXXX XXX кв. ХХХ — Wi-Fi!')).toEqual(['елка', 'у', 'д', 'кв', 'wi', 'fi']);
  });
});

describe('repeatFirstSentence', () => {
  it('appends the first sentence of a text of several sentences', () => {
    expect(repeatFirstSentence('Сломана лавочка. Во дворе дома 5, давно')).toBe(
      'Сломана лавочка. Во дворе дома 5, давно\nСломана лавочка.',
    );
    expect(repeatFirstSentence('Нет света в парадной\nтретий день')).toBe(
      'Нет света в парадной\nтретий день\nНет света в парадной\n',
    );
  });
  it('leaves a text of one sentence as it is', () => {
    for (const text of ['Снег на дороге', 'Снег на дороге.', 'Очистите!!', 'Ок. да', ''])
      expect(repeatFirstSentence(text)).toBe(text);
  });
});

describe('Featurizer', () => {
  const docs = [
    { text: 'Мусор во дворе', features: { city_object: 'Двор' } },
    { text: 'мусор на улице', features: { city_object: 'Улица' } },
    { text: 'Сосульки на крыше', features: { city_object: 'Дом' } },
  ];

  it('builds L2-normalised word and char blocks plus one-hot structured features', () => {
    const featurizer = new Featurizer({
      ...DEFAULT_FEATURE_CONFIG,
      minDf: 1,
      featureColumns: ['city_object'],
    });
    const vectors = featurizer.fitTransform(docs);
    expect(featurizer.size).toBeGreaterThan(20);
    const v = vectors[0];
    const norm = Array.from(v.values).reduce((s, x) => s + x * x, 0);
    // word block 1 + char block 1 + one structured feature of weight 1
    expect(norm).toBeCloseTo(3, 4);
    const again = featurizer.transform(docs[0]);
    expect(Array.from(again.indices)).toEqual(Array.from(v.indices));
  });

  it('counts the first sentence twice when asked to, and stores the choice', () => {
    const config = { ...DEFAULT_FEATURE_CONFIG, minDf: 1, wordNgrams: 1, charMin: 0, charMax: 0 };
    const texts = [{ text: 'Мусор во дворе. Давно' }, { text: 'давно во дворе мусор' }];
    const plain = new Featurizer(config);
    const [a, b] = plain.fitTransform(texts);
    // The same words: the same vector without the option.
    expect(Array.from(a.values).sort()).toEqual(Array.from(b.values).sort());
    const repeated = new Featurizer({ ...config, repeatFirstSentence: true });
    const [c, d] = repeated.fitTransform(texts);
    expect(Array.from(c.values).sort()).not.toEqual(Array.from(d.values).sort());
    // "давно" (outside the first sentence) weighs less than "мусор" (inside it) in the first text only.
    const weight = (featurizer: Featurizer, text: string, word: string): number => {
      const v = featurizer.transform({ text });
      const w = featurizer.transform({ text: word });
      return v.values[Array.from(v.indices).indexOf(w.indices[0])];
    };
    expect(weight(repeated, texts[0].text, 'давно')).toBeLessThan(weight(repeated, texts[0].text, 'мусор'));
    expect(weight(plain, texts[0].text, 'давно')).toBeCloseTo(weight(plain, texts[0].text, 'мусор'), 6);
    const restored = Featurizer.fromJSON(JSON.parse(JSON.stringify(repeated.toJSON())));
    expect(Array.from(restored.transform(texts[0]).values)).toEqual(Array.from(c.values));
  });

  it('prunes terms below min-df and survives a JSON round trip', () => {
    const featurizer = new Featurizer({ ...DEFAULT_FEATURE_CONFIG, minDf: 2, charMin: 0, charMax: 0 });
    featurizer.fitTransform(docs);
    const restored = Featurizer.fromJSON(JSON.parse(JSON.stringify(featurizer.toJSON())));
    expect(restored.size).toBe(featurizer.size);
    const a = featurizer.transform({ text: 'мусор на крыше' });
    const b = restored.transform({ text: 'мусор на крыше' });
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    // "мусор" (df 2) is kept, "сосульк" (df 1) is not: a text of df-1 words gives an empty vector
    expect(featurizer.transform({ text: 'сосульки' }).indices.length).toBe(0);
  });

  it('fits on terms extracted once as it fits on the texts: the same vocabulary and vectors, bit for bit', () => {
    const config = { ...DEFAULT_FEATURE_CONFIG, minDf: 2, featureColumns: ['city_object'] };
    const rows = [
      ...docs,
      { text: 'Мусор во дворе не вывозят, мусор везде', features: { city_object: 'Двор' } },
      { text: 'Сосульки и снег на крыше дома', features: { city_object: 'Дом' } },
      { text: 'Яма на улице, яма во дворе', features: { city_object: 'Улица' } },
    ];
    const extractor = new Featurizer(config);
    const terms = rows.map((row) => extractor.extract(row));
    const bits = (v: { indices: Int32Array; values: Float32Array }) => [
      Array.from(v.indices),
      Array.from(new Uint32Array(v.values.buffer, v.values.byteOffset, v.values.length)),
    ];
    // A subset (the calibration fit) and all rows (the refit), each against a featurizer fitted on texts.
    for (const subset of [[0, 2, 3, 5], rows.keys()].map((k) => [...k])) {
      const direct = new Featurizer(config);
      const expected = direct.fitTransform(subset.map((i) => rows[i]));
      const shared = new Featurizer(config);
      const vectors = shared.fitExtracted(subset.map((i) => terms[i]));
      expect(shared.toJSON()).toEqual(direct.toJSON());
      expect(vectors.map(bits)).toEqual(expected.map(bits));
      // The rows left out (the held-out slices) are vectorised as transform does.
      for (let i = 0; i < rows.length; i++)
        expect(bits(shared.transformExtracted(terms[i]))).toEqual(bits(direct.transform(rows[i])));
    }
  });
});
