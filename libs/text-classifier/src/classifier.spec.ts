import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { countTrainingRows, recencyWeights, rowHash, TextClassifier, type TrainOptions } from './classifier';
import { type LabelledExample } from './dataset';
import { seededRandom } from './linear';

const TOPICS: Record<string, string[]> = {
  yard: ['мусор во дворе', 'не вывозят мусор', 'грязь во дворе', 'контейнеры переполнены', 'свалка у дома'],
  roof: ['сосульки на крыше', 'течет крыша', 'снег на кровле', 'протечка кровли', 'наледь на крыше'],
  light: ['не горит фонарь', 'нет освещения', 'темно на улице', 'сломан фонарь', 'не работает освещение'],
};

function makeExamples(n: number, seed: number): LabelledExample[] {
  const random = seededRandom(seed);
  const labels = Object.keys(TOPICS);
  return Array.from({ length: n }, () => {
    const label = labels[Math.floor(random() * labels.length)];
    const phrases = TOPICS[label];
    const text = `${phrases[Math.floor(random() * phrases.length)]}, ${phrases[Math.floor(random() * phrases.length)]}`;
    return { text, label, features: { city_object: label === 'light' ? 'Улица' : 'Дом' } };
  });
}

describe('TextClassifier', () => {
  let dir: string;
  let model: TextClassifier;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classifier-spec-'));
    model = await TextClassifier.train(makeExamples(300, 1), {
      features: { featureColumns: ['city_object'] },
      holdout: 0.2,
      threads: 1,
      log: (message) => logs.push(message),
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('learns topics and reports a calibrated confidence', () => {
    const p = model.predict({ text: 'На крыше висят сосульки', features: { city_object: 'Дом' } });
    expect(p.label).toBe('roof');
    expect(p.confidence).toBeGreaterThan(0.5);
    expect(p.top[0]).toEqual({ label: 'roof', confidence: p.confidence });
    expect(p.top.reduce((s, t) => s + t.confidence, 0)).toBeCloseTo(1, 4);
    // The held-out 60 rows: 30 calibrate (C, temperature, top-1 map), the other 30 only report.
    expect(model.metadata.heldOut).toMatchObject({ rows: 30, calibrationRows: 30 });
    expect(model.metadata.training?.rows).toBe(300);
    expect(model.metadata.heldOut?.accuracy).toBeGreaterThan(0.9);
    expect(logs.some((l) => l.includes('held-out'))).toBe(true);
  });

  it('evaluates with per-class scores, timing and a reliability summary', () => {
    const report = model.evaluate(makeExamples(100, 2));
    expect(report.accuracy).toBeGreaterThan(0.9);
    expect(Object.keys(report.perClass).sort()).toEqual(['light', 'roof', 'yard']);
    // Measured, not judged here: a timed assertion fails on a loaded machine (the bench judges the < 1 ms target).
    expect(report.msPerItem).toBeGreaterThan(0);
    expect(Number.isFinite(report.msPerItem)).toBe(true);
    expect(report.confidence.byCoverage.length).toBe(5);
  });

  it('round-trips through a (gzipped) model file', () => {
    for (const name of ['model.json', 'model.json.gz']) {
      const file = path.join(dir, name);
      expect(model.save(file)).toBeGreaterThan(100);
      const loaded = TextClassifier.load(file);
      expect(loaded.labels).toEqual(model.labels);
      expect(loaded.featureColumns).toEqual(['city_object']);
      const input = { text: 'не горит фонарь', features: { city_object: 'Улица' } };
      expect(loaded.predict(input)).toEqual(model.predict(input));
    }
  });

  it('is deterministic for a given seed', async () => {
    const again = await TextClassifier.train(makeExamples(300, 1), {
      features: { featureColumns: ['city_object'] },
      holdout: 0.2,
      threads: 1,
    });
    expect(again.toModelFile().weights).toEqual(model.toModelFile().weights);
  });

  it('rejects missing and malformed model files', () => {
    expect(() => TextClassifier.load(path.join(dir, 'missing.json'))).toThrow(/model file not found/);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"format":"other"}');
    expect(() => TextClassifier.load(bad)).toThrow(/not a classifier model file/);
  });
});

describe('recencyWeights', () => {
  it('halves the weight per half-life and rejects rows without a date', () => {
    const rows = ['2021-01-31', '2021-01-01', '2020-12-02'].map((time) => ({
      text: '',
      features: {},
      label: 'x',
      time,
    }));
    const w = recencyWeights(rows, 30);
    expect(w[0]).toBe(1);
    expect(w[1]).toBeCloseTo(0.5, 6);
    expect(w[2]).toBeCloseTo(0.25, 6);
    expect(() => recencyWeights([{ text: '', features: {}, label: 'x', time: 'soon' }], 30)).toThrow(
      /needs a date/,
    );
  });
});

describe('recency weighting', () => {
  // «ямы на дороге» moved from one executor to another: 70 older rows say `committee`, the newest 30 say
  // `district`. Weighted by recency the newer label wins; counted flat, the older majority would.
  const day = (d: number) => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString();
  const drifting = (
    extra: (row: 'older' | 'newer' | 'light') => Partial<LabelledExample>,
  ): LabelledExample[] => {
    const rows: LabelledExample[] = [];
    for (let i = 0; i < 100; i++) {
      rows.push({
        text: 'ямы на дороге',
        features: {},
        label: i < 70 ? 'committee' : 'district',
        time: day(i),
        ...extra(i < 70 ? 'older' : 'newer'),
      });
      rows.push({ text: 'не горит фонарь', features: {}, label: 'light', time: day(i), ...extra('light') });
    }
    return rows.sort((a, b) => String(a.time).localeCompare(String(b.time)));
  };
  const potholes = { text: 'ямы на дороге', features: {} };
  const train = (rows: LabelledExample[], options: TrainOptions, recencyHalfLifeDays?: number) =>
    TextClassifier.train(rows, {
      holdout: 0.2,
      holdoutOrder: 'tail',
      threads: 1,
      ...options,
      recencyHalfLifeDays,
    });

  it('keeps the recency weights in the refit on all rows', async () => {
    const rows = drifting(() => ({}));
    expect((await train(rows, {})).predict(potholes).label).toBe('committee');
    expect((await train(rows, {}, 5)).predict(potholes).label).toBe('district');
  });

  it("keeps them in the fine labels' refit", async () => {
    // At vote weight 1 a label scores its best fine label's margin alone: the fine model decides.
    const rows = drifting((row) => ({ fineLabel: row === 'light' ? 'фонарь' : 'ямы' }));
    const options: TrainOptions = { hierarchyMix: [1] };
    const flat = await train(rows, options);
    expect(flat.hierarchyMix).toBe(1);
    expect(flat.predict(potholes).label).toBe('committee');
    expect((await train(rows, options, 5)).predict(potholes).label).toBe('district');
  });

  it("keeps them in the pivot model's refit", async () => {
    // At route weight 1 the label follows the pivot alone, and each pivot has one label: the pivot model
    // decides. Its counts stay flat; the newer pivot wins only if its model was fitted by recency.
    const pivots = { older: 'старые ямы', newer: 'новые ямы', light: 'фонарь' };
    const rows = drifting((row) => ({ pivotLabel: pivots[row] }));
    const options: TrainOptions = { pivotMix: [1] };
    const flat = await train(rows, options);
    expect(flat.pivotMix).toBe(1);
    expect(flat.predict(potholes).label).toBe('committee');
    expect((await train(rows, options, 5)).predict(potholes).label).toBe('district');
  });
});

describe('class weighting chosen on the calibration slice', () => {
  // A rare topic that only a word decides which some of a frequent topic's rows carry too: with no class
  // weights the SVM reads the word as the frequent topic's; weighted by n_max / n_c it names the rare one,
  // which macro-F1 rewards.
  function skewed(n: number, seed: number): LabelledExample[] {
    const random = seededRandom(seed);
    const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)];
    return Array.from({ length: n }, () => {
      const label = random() < 0.06 ? 'basement' : pick(['yard', 'yard', 'yard', 'roof']);
      const damp = label === 'basement' || (label === 'yard' && random() < 0.1);
      const text = `${pick(TOPICS.yard)}${damp ? ' сырость' : ''}${label === 'roof' ? ` ${pick(TOPICS.roof)}` : ''}`;
      return { text, label, features: {} };
    });
  }
  const options = (logs: string[]): TrainOptions => ({
    holdout: 0.3,
    threads: 1,
    features: { wordNgrams: 1, charMin: 0, charMax: 0 },
    log: (message) => logs.push(message),
  });
  const rows = skewed(600, 7);

  /** Solver passes summed over the fits logged between two log lines (a stage, or a model's first fits). */
  function passes(logs: readonly string[], from: number, to: number): number {
    return logs
      .slice(from, to)
      .map((l) => /^svm C=[\d.]+: class \d+\/\d+ \((\d+) epochs\)/.exec(l))
      .reduce((sum, m) => sum + (m ? Number(m[1]) : 0), 0);
  }

  it('keeps the weighting whose calibration stage scores best, the same model as that weighting fixed', async () => {
    const logs: string[] = [];
    const tuned = await TextClassifier.train(rows, {
      ...options(logs),
      tuneClassWeight: ['none', 'balanced'],
    });
    const figure = (weighting: string) =>
      Number(
        logs.find((l) => l.startsWith(`class weights ${weighting}: calibration`))?.split('macro-F1 ')[1],
      );
    expect(figure('balanced')).toBeGreaterThan(figure('none'));
    expect(tuned.metadata.linear.classWeight).toBe('balanced');
    expect(logs).toContain('class weights chosen by macro-f1: balanced');
    const fixed = await TextClassifier.train(rows, { ...options([]), linear: { classWeight: 'balanced' } });
    // The balanced stage starts from the first stage's solution, so it stops at a point of the same optimum
    // within the solver's tolerance, not at the very same point: the same decisions, the same weights to
    // a few quantisation steps.
    const labels = (model: TextClassifier) => rows.map((row) => model.predict(row).label);
    expect(labels(tuned)).toEqual(labels(fixed));
    const margins = (model: TextClassifier) => rows.flatMap((row) => [...model.scores(row)]);
    const fixedMargins = margins(fixed);
    margins(tuned).forEach((m, i) => expect(Math.abs(m - fixedMargins[i])).toBeLessThan(0.05));
    expect(tuned.temperature).toBeCloseTo(fixed.temperature, 1);
  });

  it("starts a later weighting's solvers from the earlier stage's solution: fewer passes than from zero", async () => {
    const logs: string[] = [];
    await TextClassifier.train(rows, { ...options(logs), tuneClassWeight: ['none', 'balanced'] });
    const warm = passes(
      logs,
      logs.findIndex((l) => l.startsWith('class weights balanced: calibrating')),
      logs.findIndex((l) => l.startsWith('class weights balanced: calibration')),
    );
    const coldLogs: string[] = [];
    await TextClassifier.train(rows, { ...options(coldLogs), linear: { classWeight: 'balanced' } });
    const cold = passes(
      coldLogs,
      0,
      coldLogs.findIndex((l) => l.startsWith('refitting')),
    );
    expect(warm).toBeGreaterThan(0);
    expect(warm).toBeLessThan(cold);
  });

  it('keeps the first weighting listed on a tie', async () => {
    const logs: string[] = [];
    const tuned = await TextClassifier.train(makeExamples(200, 3), {
      ...options(logs),
      tuneClassWeight: ['none', 'sqrt'],
    });
    expect(logs.filter((l) => l.includes(': calibration accuracy 1, macro-F1 1'))).toHaveLength(2);
    expect(tuned.metadata.linear.classWeight).toBe('none');
  });
});

describe('countTrainingRows', () => {
  // Found by search: two rows a year apart whose 32-bit row hashes are equal.
  const trained: LabelledExample = {
    time: '2020-01-01T10:00:00',
    text: 'жалоба 204018',
    features: {},
    label: 'a',
  };
  const later: LabelledExample = {
    time: '2021-01-01T10:00:00',
    text: 'жалоба 818322',
    features: {},
    label: 'a',
  };

  it('does not take a later row for a training row when their hashes collide', async () => {
    expect(rowHash(later)).toBe(rowHash(trained));
    const rows = makeExamples(40, 5).map((e, i) => ({
      ...e,
      time: `2020-01-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00`,
    }));
    const model = await TextClassifier.train([...rows, trained], { threads: 1, holdout: 0 });
    expect(countTrainingRows(model, [trained])).toBe(1);
    expect(countTrainingRows(model, [later])).toBe(0);
    expect(countTrainingRows(model, rows.slice(0, 7))).toBe(7);
  });
});

describe('the own model, one-vs-rest or Crammer–Singer, chosen on the calibration slice', () => {
  const rows = makeExamples(300, 5);
  const options = (logs: string[], tuneMulticlass?: TrainOptions['tuneMulticlass']): TrainOptions => ({
    holdout: 0.3,
    threads: 1,
    features: { wordNgrams: 1, charMin: 0, charMax: 0 },
    ...(tuneMulticlass ? { tuneMulticlass } : {}),
    log: (message) => logs.push(message),
  });

  it('fits both, scores each on the calibration slice, and refits the kind it keeps', async () => {
    const logs: string[] = [];
    const tuned = await TextClassifier.train(rows, options(logs, ['ovr', 'crammer-singer']));
    expect(logs.filter((l) => /^own model (ovr|crammer-singer): calibration accuracy/.test(l))).toHaveLength(
      2,
    );
    const kept = tuned.metadata.multiclass;
    expect(logs).toContain(`own model: ${kept}`);
    const refit = logs.slice(logs.findIndex((l) => l.startsWith('refitting')));
    expect(refit.some((l) => l.startsWith('crammer-singer C='))).toBe(kept === 'crammer-singer');
  });

  it('fits the joint model in a thread of its own beside the solver threads to the same model', async () => {
    // Needs the compiled workers (`npm run build`), as training off the event loop does.
    const both = ['ovr', 'crammer-singer'] as const;
    const weighted = { tuneClassWeight: ['sqrt', 'balanced'] } as const;
    const serialLogs: string[] = [];
    const threadedLogs: string[] = [];
    const serial = await TextClassifier.train(rows, { ...options(serialLogs, both), ...weighted });
    const threaded = await TextClassifier.train(rows, {
      ...options(threadedLogs, both),
      ...weighted,
      threads: 2,
    });
    const figures = (logs: string[]) => logs.filter((l) => /calibration accuracy|chosen|own model:/.test(l));
    expect(figures(threadedLogs)).toEqual(figures(serialLogs));
    const margins = (model: TextClassifier) => rows.slice(0, 20).flatMap((row) => [...model.scores(row)]);
    expect(margins(threaded)).toEqual(margins(serial));
  });

  it("with Crammer–Singer alone the model's own weights are the joint model's, not one-vs-rest's", async () => {
    const joint = await TextClassifier.train(rows, options([], ['crammer-singer']));
    const ovr = await TextClassifier.train(rows, options([]));
    expect(joint.metadata.multiclass).toBe('crammer-singer');
    expect(ovr.metadata.multiclass).toBe('ovr');
    const margins = (model: TextClassifier) => rows.slice(0, 20).flatMap((row) => [...model.scores(row)]);
    expect(margins(joint)).not.toEqual(margins(ovr));
    // Both learn the topics.
    for (const model of [joint, ovr]) {
      expect(model.predict({ text: 'течет крыша' }).label).toBe('roof');
      expect(model.predict({ text: 'не горит фонарь' }).label).toBe('light');
    }
  });
});
