import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextClassifier, type TrainOptions } from './classifier';
import { type LabelledExample } from './dataset';
import { seededRandom } from './linear';
import { PivotTable } from './pivot';

describe('PivotTable', () => {
  const rows = [
    ...Array.from({ length: 8 }, () => ({ label: 'A', pivot: 'snow', features: { district: 'north' } })),
    ...Array.from({ length: 2 }, () => ({ label: 'B', pivot: 'snow', features: { district: 'north' } })),
    ...Array.from({ length: 10 }, () => ({ label: 'B', pivot: 'snow', features: { district: 'south' } })),
    ...Array.from({ length: 10 }, () => ({ label: 'C', pivot: 'litter', features: { district: 'south' } })),
  ];
  const table = PivotTable.count(rows, ['A', 'B', 'C'], ['district']);

  it('counts the label per pivot and inputs, smoothed towards the coarser level', () => {
    const p = table.conditional('snow', { district: 'North ' });
    // pivot alone: A 8, B 12 of 20, smoothed towards the prior; then (snow, north): A 8, B 2 of 10.
    expect(p[0]).toBeGreaterThan(0.7);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 9);
    expect(p[2]).toBeLessThan(0.01);
  });

  it('backs off to the pivot alone for an unseen combination, then to the prior', () => {
    const unseenDistrict = table.conditional('litter', { district: 'east' });
    expect(unseenDistrict[2]).toBeGreaterThan(0.9);
    const unseenPivot = table.conditional('flood', { district: 'east' });
    expect([...unseenPivot].map((x) => Math.round(x * 30))).toEqual([8, 12, 10]);
  });

  it('reads back what it wrote', () => {
    const copy = PivotTable.fromJSON(JSON.parse(JSON.stringify(table.toJSON())));
    expect([...copy.conditional('snow', { district: 'south' })]).toEqual([
      ...table.conditional('snow', { district: 'south' }),
    ]);
  });
});

/**
 * The executor is an XOR of the need (said in the text) and the district (a structured input): a linear
 * model over the words and the one-hot district cannot tell it, the route need → executor per district can.
 */
function makeRows(n: number, seed: number, withPivot = true, rareShare = 0): LabelledExample[] {
  const random = seededRandom(seed);
  const needs: Record<string, string[]> = {
    snow: ['снег', 'сугробы', 'наледь'],
    litter: ['мусор', 'бутылки', 'пакеты'],
  };
  const filler = ['просим', 'срочно', 'опять', 'помогите', 'жители', 'сегодня'];
  return Array.from({ length: n }, () => {
    const need = random() < 0.5 ? 'snow' : 'litter';
    const district = random() < 0.5 ? 'north' : 'south';
    const words = [needs[need][Math.floor(random() * 3)], ...filler.filter(() => random() < 0.3)].sort(
      () => random() - 0.5,
    );
    let label = (need === 'snow') === (district === 'north') ? 'roads agency' : 'district council';
    if (words.includes('срочно') && random() < rareShare) label = 'emergency service';
    return {
      text: words.join(' '),
      features: { district },
      label,
      ...(withPivot ? { pivotLabel: need } : {}),
    };
  });
}

const OPTIONS: TrainOptions = {
  features: { wordNgrams: 1, charMin: 0, charMax: 0, featureColumns: ['district'] },
  holdout: 0.3,
  threads: 1,
};

function accuracy(model: TextClassifier, rows: readonly LabelledExample[]): number {
  return rows.filter((r) => model.predict(r).label === r.label).length / rows.length;
}

describe('the route through a pivot label', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pivot-spec-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('tells labels that follow from the pivot and an input, where a flat model cannot', async () => {
    const logs: string[] = [];
    const routed = await TextClassifier.train(makeRows(600, 1), {
      ...OPTIONS,
      log: (message) => logs.push(message),
    });
    const flat = await TextClassifier.train(makeRows(600, 1, false), OPTIONS);
    const fresh = makeRows(300, 2, false);
    expect(flat.pivotMix).toBe(0);
    expect(flat.toModelFile().pivot).toBeUndefined();
    expect(accuracy(flat, fresh)).toBeLessThan(0.8);
    expect(routed.pivotMix).toBeGreaterThan(0);
    expect(logs.some((line) => line.startsWith('route through the pivot 0:'))).toBe(true);
    expect(accuracy(routed, fresh)).toBeGreaterThan(0.95);

    const file = path.join(dir, 'routed.json.gz');
    routed.save(file);
    const loaded = TextClassifier.load(file);
    expect(loaded.pivotMix).toBe(routed.pivotMix);
    for (const row of fresh.slice(0, 50)) expect(loaded.predict(row)).toEqual(routed.predict(row));
  });

  it('chooses the route weight by the metric it is asked to (selectBy), logging both per weight', async () => {
    // A rare third executor (half the rows saying «срочно») makes the two metrics disagree on the weight.
    const rows = makeRows(400, 1, true, 0.5);
    const chosen: number[] = [];
    for (const selectBy of ['accuracy', 'macro-f1'] as const) {
      const logs: string[] = [];
      const model = await TextClassifier.train(rows, {
        ...OPTIONS,
        selectBy,
        log: (message) => logs.push(message),
      });
      const figures = logs
        .map((line) =>
          /^route through the pivot ([\d.]+): calibration accuracy ([\d.]+), macro-F1 ([\d.]+)$/.exec(line),
        )
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ mix: Number(m[1]), accuracy: Number(m[2]), macroF1: Number(m[3]) }));
      expect(figures.map((f) => f.mix)).toEqual([0, 0.25, 0.5, 0.75, 0.9, 1]);
      const score = (f: (typeof figures)[number]) => (selectBy === 'accuracy' ? f.accuracy : f.macroF1);
      const best = figures.reduce((a, b) => (score(b) > score(a) ? b : a));
      expect(model.pivotMix).toBe(best.mix);
      expect(logs).toContain(`route through the pivot chosen by ${selectBy}: ${best.mix}`);
      chosen.push(model.pivotMix);
    }
    expect(chosen[0]).not.toBe(chosen[1]);
  });

  it('drops the pivot model when its weights are all 0', async () => {
    const model = await TextClassifier.train(makeRows(300, 3), { ...OPTIONS, pivotMix: [0] });
    expect(model.pivotMix).toBe(0);
    expect(model.toModelFile().pivot).toBeUndefined();
  });
});
