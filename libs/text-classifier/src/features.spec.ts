import { DEFAULT_FEATURE_CONFIG, Featurizer } from './features';
import { tokenize } from './text';

describe('tokenize', () => {
  it('lower-cases, folds ё, drops digits, punctuation and de-personalisation masks', () => {
    expect(tokenize('Ёлка у д.5, XXXX XXX кв. ХХХ — Wi-Fi!')).toEqual(['елка', 'у', 'д', 'кв', 'wi', 'fi']);
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
});
