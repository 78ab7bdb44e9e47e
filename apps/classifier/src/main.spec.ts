import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, UsageError } from './args';
import { BENCH_TARGETS, selectBenchTargets, selectionMetricOf } from './bench';
import { run } from './main';

describe('classifier CLI', () => {
  let dir: string;
  let stdout: string[];
  let stderr: string[];
  let outSpy: jest.SpyInstance;
  let errSpy: jest.SpyInstance;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classifier-cli-'));
    const lines = ['id;created;obj;topic;body'];
    const topics: [string, string, string][] = [
      ['yard', 'Двор', 'мусор во дворе не вывозят'],
      ['roof', 'Дом', 'сосульки на крыше дома'],
      ['light', 'Улица', 'не горит фонарь на улице'],
    ];
    for (let i = 0; i < 150; i++) {
      const [topic, obj, text] = topics[i % 3];
      const day = String(1 + Math.floor(i / 5)).padStart(2, '0');
      lines.push(`${i};2021-01-${day};${obj};${topic};"${text}; №${i}"`);
    }
    fs.writeFileSync(path.join(dir, 'data.csv'), lines.join('\r\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(() => {
    stdout = [];
    stderr = [];
    outSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    outSpy.mockRestore();
    errSpy.mockRestore();
  });

  it('trains with features and a time split, then evaluates the same split', async () => {
    const data = path.join(dir, 'data.csv');
    const model = path.join(dir, 'model.json');
    const code = await run([
      'train',
      '--data',
      data,
      '--text',
      'body',
      '--label',
      'topic',
      '--features',
      'obj',
      '--split',
      'time:created:0.2',
      '--out',
      model,
      '--threads',
      '1',
    ]);
    expect(stderr.join('')).toContain('time split on created');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.join(''));
    expect(summary.rows).toBe(120);
    expect(summary.test.rows).toBe(30);
    expect(summary.test.accuracy).toBe(1);

    stdout = [];
    expect(await run(['eval', '--model', model, '--data', data, '--split', 'time:created:0.2'])).toBe(0);
    const report = JSON.parse(stdout.join(''));
    expect(report).toMatchObject({ rows: 30, accuracy: 1, macroF1: 1 });
    expect(report.perClass.roof.support).toBe(10);
    expect(typeof report.msPerItem).toBe('number');
    expect(report.confidence.byCoverage).toHaveLength(5);
  });

  it('refuses to score rows the model trained on, and uses its recorded split by default', async () => {
    const data = path.join(dir, 'data.csv');
    const model = path.join(dir, 'honest.json');
    const trainArgs = ['train', '--data', data, '--text', 'body', '--label', 'topic', '--threads', '1'];
    expect(await run([...trainArgs, '--split', 'time:created:0.2', '--out', model])).toBe(0);

    // The training period: every row was trained on.
    stdout = [];
    stderr = [];
    expect(await run(['eval', '--model', model, '--data', data, '--split', 'time:created:0.9'])).toBe(2);
    expect(stderr.join('')).toMatch(/refusing to score 105 of 135 rows: the model was trained on them/);
    expect(stdout.join('')).toBe('');

    // No --split: the model's own split, so only the 30 later rows are scored.
    stderr = [];
    expect(await run(['eval', '--model', model, '--data', data])).toBe(0);
    expect(stderr.join('')).toContain("using the model's recorded split time:created:0.2");
    expect(JSON.parse(stdout.join('')).rows).toBe(30);

    // A model trained on the whole file has nothing left to score in it.
    const all = path.join(dir, 'all.json');
    expect(await run([...trainArgs, '--out', all])).toBe(0);
    stdout = [];
    stderr = [];
    expect(await run(['eval', '--model', all, '--data', data])).toBe(2);
    expect(stderr.join('')).toMatch(/refusing to score 150 of 150 rows/);
  });

  it('routes the label through --pivot-label per structured input', async () => {
    // The executor is an XOR of the need (in the text) and the district: only the route need → executor
    // per district tells it.
    const data = path.join(dir, 'pivot.csv');
    const lines = ['created,need,district,executor,body'];
    const words: Record<string, string[]> = { snow: ['снег', 'сугробы'], litter: ['мусор', 'пакеты'] };
    for (let i = 0; i < 240; i++) {
      const need = i % 2 === 0 ? 'snow' : 'litter';
      const district = Math.floor(i / 2) % 2 === 0 ? 'north' : 'south';
      const executor = (need === 'snow') === (district === 'north') ? 'roads' : 'council';
      const day = String(1 + Math.floor(i / 10)).padStart(2, '0');
      lines.push(
        `2021-01-${day},${need},${district},${executor},${words[need][i % 3 === 0 ? 0 : 1]} во дворе`,
      );
    }
    fs.writeFileSync(path.join(dir, 'pivot.csv'), lines.join('\n'));
    const args = ['train', '--data', data, '--text', 'body', '--label', 'executor', '--features', 'district'];
    const options = ['--word-ngrams', '1', '--char-ngrams', '0', '--holdout', '0.3', '--threads', '1'];
    const split = ['--split', 'time:created:0.2', '--out', path.join(dir, 'pivot.json')];
    const selectBy = ['--select-by', 'accuracy'];
    expect(await run([...args, ...options, ...split, '--pivot-label', 'need', ...selectBy])).toBe(0);
    const summary = JSON.parse(stdout.join(''));
    expect(summary.pivotMix).toBeGreaterThan(0);
    expect(summary.test.accuracy).toBe(1);
    expect(stderr.join('')).toContain('route through the pivot chosen by accuracy');
  });

  it("makes the bench choose each target's weights by the target's own metric", () => {
    const metric = Object.fromEntries(BENCH_TARGETS.map((t) => [t.key, selectionMetricOf(t)]));
    expect(metric).toEqual({
      category: 'macro-f1',
      'category-object': 'macro-f1',
      reason: 'macro-f1',
      executor: 'accuracy',
    });
  });

  it('chooses the class weighting on the calibration slice unless one is given, as the bench does', async () => {
    const data = path.join(dir, 'data.csv');
    const args = ['train', '--data', data, '--text', 'body', '--label', 'topic', '--threads', '1'];
    const split = ['--split', 'time:created:0.2', '--out', path.join(dir, 'weighted.json')];
    expect(await run([...args, ...split])).toBe(0);
    const log = stderr.join('');
    expect(log).toContain('class weights sqrt: calibration accuracy');
    expect(log).toContain('class weights balanced: calibration accuracy');
    // Every row is easy: the tie keeps √-balanced, listed first.
    expect(log).toContain('class weights chosen by macro-f1: sqrt');
    expect(JSON.parse(stdout.join('')).classWeight).toBe('sqrt');

    stdout = [];
    stderr = [];
    expect(await run([...args, ...split, '--class-weight', 'balanced'])).toBe(0);
    expect(stderr.join('')).not.toContain('class weights');
    expect(JSON.parse(stdout.join('')).classWeight).toBe('balanced');

    stderr = [];
    expect(await run([...args, ...split, '--class-weight', 'sqrt,even'])).toBe(2);
    expect(stderr.join('')).toContain('--class-weight values must be among none, balanced, sqrt, got "even"');
  });

  it('tries a joint Crammer–Singer own model beside one-vs-rest when asked, as the text-only bench target does', async () => {
    const data = path.join(dir, 'data.csv');
    const args = ['train', '--data', data, '--text', 'body', '--label', 'topic', '--threads', '1'];
    const split = [
      '--split',
      'time:created:0.2',
      '--out',
      path.join(dir, 'joint.json'),
      '--class-weight',
      'sqrt',
    ];
    expect(await run([...args, ...split, '--multiclass', 'ovr,crammer-singer'])).toBe(0);
    const log = stderr.join('');
    expect(log).toContain('own model ovr: calibration accuracy');
    expect(log).toContain('own model crammer-singer: calibration accuracy');
    expect(['ovr', 'crammer-singer']).toContain(JSON.parse(stdout.join('')).multiclass);
    expect(BENCH_TARGETS.find((t) => t.key === 'category')?.multiclass).toEqual(['ovr', 'crammer-singer']);

    stdout = [];
    stderr = [];
    expect(await run([...args, ...split])).toBe(0);
    expect(stderr.join('')).not.toContain('own model');
    expect(JSON.parse(stdout.join('')).multiclass).toBe('ovr');

    stderr = [];
    expect(await run([...args, ...split, '--multiclass', 'softmax'])).toBe(2);
    expect(stderr.join('')).toContain('--multiclass values must be among ovr, crammer-singer, got "softmax"');
  });

  it('refuses a bench target --only does not know, before reading any data', async () => {
    expect(await run(['bench', '--data', path.join(dir, 'missing.csv'), '--only', 'category,nope'])).toBe(2);
    expect(stderr.join('')).toContain('--only: unknown target nope (one of category, category-object');
  });

  it('fails clearly on bad input', async () => {
    const data = path.join(dir, 'data.csv');
    expect(
      await run(['train', '--data', data, '--text', 'nope', '--label', 'topic', '--out', '/tmp/x.json']),
    ).toBe(2);
    expect(stderr.join('')).toContain('column "nope" not found');
    expect(await run(['eval', '--model', path.join(dir, 'missing.json'), '--data', data])).toBe(2);
    expect(stderr.join('')).toContain('model file not found');
    expect(await run(['train', '--data', data])).toBe(2);
    expect(stderr.join('')).toContain('needs --text');
    const train = ['train', '--data', data, '--text', 'body', '--label', 'topic', '--out', '/tmp/x.json'];
    expect(await run([...train, '--select-by', 'f1'])).toBe(2);
    expect(stderr.join('')).toContain('--select-by must be one of macro-f1, accuracy');
  });
});

describe('selectBenchTargets', () => {
  it('keeps the named targets in the table order and names the unknown keys', () => {
    const { targets, unknown } = selectBenchTargets(['executor', 'category', 'x']);
    expect(targets.map((t) => t.name)).toEqual([
      'category macro-F1, text only',
      'executor organisation accuracy, text + city_object + district',
    ]);
    expect(unknown).toEqual(['x']);
  });
  it("chooses the category models' fine-label vote on a 20 % held-out slice", () => {
    const { targets } = selectBenchTargets(['category', 'category-object', 'executor']);
    expect(targets.map((t) => t.holdout)).toEqual([0.2, 0.2, undefined]);
  });
  it('weights the rows by the recency half-life chosen on the calibration slice', () => {
    const { targets } = selectBenchTargets(['category', 'category-object', 'reason', 'executor']);
    expect(targets.map((t) => t.recencyHalfLifeDays)).toEqual([30, undefined, undefined, 60]);
  });
  it('does not count the first sentence twice: the calibration slices rejected it', () => {
    const { targets } = selectBenchTargets(['category', 'category-object', 'reason', 'executor']);
    expect(targets.map((t) => t.repeatFirstSentence)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('parseArgs', () => {
  const spec = { x: { options: ['a', 'b'], flags: ['f'], required: ['a'] } };
  it('accepts --k v, --k=v and flags', () => {
    const args = parseArgs(['x', '--a', '1', '--b=2', '--f'], spec);
    expect(args.options.get('a')).toBe('1');
    expect(args.options.get('b')).toBe('2');
    expect(args.flags.has('f')).toBe(true);
  });
  it('rejects unknown commands and options', () => {
    expect(() => parseArgs(['y'], spec)).toThrow(UsageError);
    expect(() => parseArgs(['x', '--a', '1', '--zz', '2'], spec)).toThrow(/unknown option --zz/);
    expect(() => parseArgs(['x', '--a'], spec)).toThrow(/needs a value/);
  });
});
