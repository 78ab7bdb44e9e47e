import { applyConfidenceMap, fitConfidenceMap, fitTemperature, softmax } from './calibration';
import { evaluatePredictions, pickOnSlice } from './metrics';

describe('evaluatePredictions', () => {
  it('computes accuracy, macro-F1 over gold ∪ predicted labels and per-class scores', () => {
    const gold = ['a', 'a', 'b', 'b'];
    const predicted = ['a', 'b', 'b', 'c'];
    const report = evaluatePredictions(gold, predicted, [0.9, 0.6, 0.8, 0.3]);
    expect(report.accuracy).toBe(0.5);
    expect(report.perClass.a).toEqual({ precision: 1, recall: 0.5, f1: 0.6667, support: 2 });
    expect(report.perClass.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(report.perClass.c.f1).toBe(0);
    expect(report.macroF1).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 4);
    expect(report.confidence.byCoverage[0]).toEqual({ coverage: 0.5, minConfidence: 0.8, accuracy: 1 });
    expect(report.confidence.byThreshold.find((t) => t.threshold === 0.5)).toEqual({
      threshold: 0.5,
      coverage: 0.75,
      accuracy: 0.6667,
    });
  });
});

describe('temperature scaling', () => {
  it('softens over-confident margins and sharpens under-confident ones', () => {
    // Margins always favour the gold class by 1 but it is right only ~73% of the time → T ≈ 1.
    const scores: Float64Array[] = [];
    const gold: number[] = [];
    for (let i = 0; i < 1000; i++) {
      scores.push(Float64Array.from([1, 0]));
      gold.push(i % 100 < 73 ? 0 : 1);
    }
    expect(fitTemperature(scores, gold)).toBeCloseTo(1, 1);
    const sharp = scores.map((s) => Float64Array.from([s[0] * 0.1, s[1] * 0.1]));
    expect(fitTemperature(sharp, gold)).toBeCloseTo(0.1, 2);
    const p = softmax([2, 0, 0], 1, new Float64Array(3));
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 10);
  });
});

describe('top-1 confidence map', () => {
  it('pulls over-confident scores down to the observed accuracy', () => {
    // Claims 0.99 but is right 80% of the time; claims 0.6 and is right 60%.
    const confidence: number[] = [];
    const correct: boolean[] = [];
    for (let i = 0; i < 1000; i++) {
      confidence.push(0.99);
      correct.push(i % 10 < 8);
      confidence.push(0.6);
      correct.push(i % 10 < 6);
    }
    const map = fitConfidenceMap(confidence, correct);
    expect(map.a).toBeGreaterThan(0);
    expect(applyConfidenceMap(map, 0.99)).toBeCloseTo(0.8, 1);
    expect(applyConfidenceMap(map, 0.6)).toBeCloseTo(0.6, 1);
    expect(applyConfidenceMap(undefined, 0.7)).toBe(0.7);
    expect(fitConfidenceMap([0.9], [true])).toEqual({ a: 1, b: 0 });
  });
});

describe('pickOnSlice', () => {
  // Eight rows of a, two of b. "flat" says a everywhere: accuracy 0.8, macro-F1 (0.889 + 0) / 2 = 0.444.
  // "rare" finds both b rows at the cost of three a rows: accuracy 0.7, macro-F1 (0.769 + 0.571) / 2 = 0.670.
  const gold = ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'b', 'b'];
  const candidates = [
    { value: 'flat', predicted: ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'] },
    { value: 'rare', predicted: ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'] },
  ];

  it('picks by the requested metric where accuracy and macro-F1 disagree', () => {
    const byAccuracy = pickOnSlice(gold, candidates, 'accuracy');
    const byMacroF1 = pickOnSlice(gold, candidates, 'macro-f1');
    expect(byAccuracy.best).toEqual({ value: 'flat', accuracy: 0.8, macroF1: 0.4444 });
    expect(byMacroF1.best).toEqual({ value: 'rare', accuracy: 0.7, macroF1: 0.6703 });
    // Both report every candidate's two figures, in the candidates' order.
    expect(byAccuracy.all).toEqual(byMacroF1.all);
    expect(byAccuracy.all.map((p) => p.value)).toEqual(['flat', 'rare']);
  });

  it('keeps the first of tied candidates and refuses an empty list', () => {
    const tied = [candidates[0], { ...candidates[0], value: 'again' }];
    expect(pickOnSlice(gold, tied, 'accuracy').best.value).toBe('flat');
    expect(pickOnSlice(gold, tied, 'macro-f1').best.value).toBe('flat');
    expect(() => pickOnSlice(gold, [], 'accuracy')).toThrow();
  });
});
