import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mixHierarchy, TextClassifier, type TrainOptions } from './classifier';
import { type LabelledExample, loadLabelledCsv } from './dataset';
import { seededRandom } from './linear';

/**
 * Each label is the union of two fine labels that share no words, and the four fine labels are an XOR of
 * two word choices: a linear model over the labels alone cannot separate them, one over the fine labels can.
 */
const FINE: Record<string, { label: string; words: [string, string] }> = {
  snowYard: { label: 'housing', words: ['снег', 'двор'] },
  litterStreet: { label: 'housing', words: ['мусор', 'улица'] },
  snowStreet: { label: 'roads', words: ['снег', 'улица'] },
  litterYard: { label: 'roads', words: ['мусор', 'двор'] },
};
const FILLER = ['просим', 'срочно', 'опять', 'который', 'день', 'помогите', 'жители', 'сегодня'];

function makeRows(n: number, seed: number, withFine = true): LabelledExample[] {
  const random = seededRandom(seed);
  const names = Object.keys(FINE);
  return Array.from({ length: n }, () => {
    const fine = names[Math.floor(random() * names.length)];
    const filler = FILLER.filter(() => random() < 0.3);
    const text = [...FINE[fine].words, ...filler].sort(() => random() - 0.5).join(' ');
    return { text, features: {}, label: FINE[fine].label, ...(withFine ? { fineLabel: fine } : {}) };
  });
}

const OPTIONS: TrainOptions = {
  // Word unigrams only: bigrams or character n-grams spanning both words would make the XOR linear.
  features: { wordNgrams: 1, charMin: 0, charMax: 0 },
  holdout: 0.3,
  threads: 1,
};

function accuracy(model: TextClassifier, rows: readonly LabelledExample[]): number {
  return rows.filter((r) => model.predict(r).label === r.label).length / rows.length;
}

describe('fine labels voting for their parents', () => {
  let dir: string;
  let hierarchical: TextClassifier;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hierarchy-spec-'));
    hierarchical = await TextClassifier.train(makeRows(600, 1), {
      ...OPTIONS,
      log: (message) => logs.push(message),
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('separates labels a linear model over the labels alone cannot', async () => {
    const fresh = makeRows(300, 2);
    const flat = await TextClassifier.train(makeRows(600, 1, false), OPTIONS);
    expect(flat.hierarchyMix).toBe(0);
    expect(flat.toModelFile().fine).toBeUndefined();
    expect(accuracy(flat, fresh)).toBeLessThan(0.75);

    expect(hierarchical.hierarchyMix).toBeGreaterThan(0);
    expect(accuracy(hierarchical, fresh)).toBeGreaterThan(0.95);
    expect(hierarchical.labels).toEqual(['housing', 'roads']);
    // The vote's weight was chosen on the calibration slice, and the reporting slice saw the result.
    expect(logs.some((l) => /fine-label vote 0: calibration accuracy [0-9.]+, macro-F1/.test(l))).toBe(true);
    expect(hierarchical.metadata.heldOut?.accuracy).toBeGreaterThan(0.95);
  });

  it('keeps the fine model and its vote in the model file', () => {
    const file = path.join(dir, 'model.json.gz');
    hierarchical.save(file);
    const loaded = TextClassifier.load(file);
    expect(loaded.hierarchyMix).toBe(hierarchical.hierarchyMix);
    expect(loaded.toModelFile().fine?.labels).toHaveLength(4);
    for (const row of makeRows(20, 3)) expect(loaded.predict(row)).toEqual(hierarchical.predict(row));
  });

  it('mixes each label with its best fine label and leaves labels without fine ones alone', () => {
    const mixed = mixHierarchy(Float64Array.of(1, 2, 3), [4, -2, 0], [0, 0, 1], 0.5);
    expect([...mixed]).toEqual([2.5, 1, 3]);
    expect([...mixHierarchy(Float64Array.of(1, 2), [9, 9], [0, 1], 0)]).toEqual([1, 2]);
    // Fitted within the parent: the best fine margin is added to the parent's own.
    const within = mixHierarchy(Float64Array.of(1, 2, 3), [4, -2, 0], [0, 0, 1], 0.5, true);
    expect([...within]).toEqual([3, 2, 3]);
  });

  it('fits the fine labels within their parents and still separates the labels', async () => {
    const logs: string[] = [];
    const within = await TextClassifier.train(makeRows(600, 1), {
      ...OPTIONS,
      fineModel: 'within-parent',
      log: (message) => logs.push(message),
    });
    expect(within.hierarchyMix).toBeGreaterThan(0);
    expect(within.toModelFile().fine?.withinParent).toBe(true);
    expect(hierarchical.toModelFile().fine?.withinParent).toBeUndefined();
    expect(accuracy(within, makeRows(300, 2))).toBeGreaterThan(0.95);
    const file = path.join(dir, 'within.json');
    within.save(file);
    const loaded = TextClassifier.load(file);
    for (const row of makeRows(20, 3)) expect(loaded.predict(row)).toEqual(within.predict(row));
  });

  it('fits the fine model without character n-grams when asked', async () => {
    const withChars: TrainOptions = { ...OPTIONS, features: { wordNgrams: 1, charMin: 2, charMax: 3 } };
    const int32 = (text: string) => {
      const bytes = Buffer.from(text, 'base64');
      return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    };
    // Non-zero weights on character n-gram terms (a term key's low two bits are its block: 1 = char).
    const charWeights = (model: TextClassifier, which: 'own' | 'fine'): number => {
      const file = model.toModelFile();
      const terms = int32(file.featurizer.terms);
      const weights = which === 'own' ? file.weights : file.fine?.weights;
      if (!weights) throw new Error('no weights');
      const rowPtr = int32(weights.rowPtr);
      let n = 0;
      terms.forEach((key, j) => {
        if ((key & 3) === 1) n += rowPtr[j + 1] - rowPtr[j];
      });
      return n;
    };
    const all = await TextClassifier.train(makeRows(600, 1), { ...withChars, hierarchyMix: [0.5] });
    const noChar = await TextClassifier.train(makeRows(600, 1), {
      ...withChars,
      hierarchyMix: [0.5],
      fineFeatures: 'no-char',
    });
    expect(charWeights(all, 'fine')).toBeGreaterThan(0);
    expect(charWeights(noChar, 'fine')).toBe(0);
    expect(charWeights(noChar, 'own')).toBeGreaterThan(0);
  });

  it('reads the fine labels from a CSV column', async () => {
    const file = path.join(dir, 'rows.csv');
    fs.writeFileSync(file, 'text,category,reason\nсосульки,Кровля,Сосульки на крыше\nяма,Дороги,\n');
    const { examples } = await loadLabelledCsv(file, {
      textColumn: 'text',
      labelColumn: 'category',
      featureColumns: [],
      fineLabelColumn: 'reason',
    });
    expect(examples.map((e) => e.fineLabel)).toEqual(['Сосульки на крыше', '']);
  });
});

describe('the fine labels’ vote over each own model kind', () => {
  it('chooses the own model and the vote together on the calibration slice', async () => {
    const logs: string[] = [];
    const model = await TextClassifier.train(makeRows(400, 11), {
      holdout: 0.3,
      threads: 1,
      features: { wordNgrams: 1, charMin: 0, charMax: 0 },
      tuneMulticlass: ['ovr', 'crammer-singer'],
      log: (message) => logs.push(message),
    });
    for (const kind of ['ovr', 'crammer-singer'])
      expect(logs.filter((l) => l.startsWith(`${kind}, fine-label vote `))).toHaveLength(4);
    const chosen = logs.find((l) => l.startsWith('fine-label vote chosen by macro-f1'));
    expect(chosen).toContain(`(own model ${model.metadata.multiclass})`);
    // The labels are an XOR of words: only the fine labels' vote separates them, whichever own model.
    expect(model.hierarchyMix).toBeGreaterThan(0);
  });
});
