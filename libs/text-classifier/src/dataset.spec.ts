import { type LabelledExample, parseSplit, splitByTime } from './dataset';

const rows = (times: string[]): LabelledExample[] =>
  times.map((time, i) => ({ text: `t${i}`, features: {}, label: 'x', time }));

describe('time split', () => {
  it('parses fractions and cut-offs', () => {
    expect(parseSplit('time:created_at:0.25')).toEqual({ column: 'created_at', fraction: 0.25 });
    expect(parseSplit('time:created_at:2021-01-01')).toEqual({ column: 'created_at', cutoff: '2021-01-01' });
    expect(() => parseSplit('random:0.2')).toThrow(/expected time/);
  });

  it('puts the latest rows in the test part', () => {
    const data = rows(['2020-12-01', '2021-01-05', '2020-10-01', '2020-11-30T10:00:00']);
    const byFraction = splitByTime(data, { column: 'c', fraction: 0.25 });
    expect(byFraction.test.map((r) => r.time)).toEqual(['2021-01-05']);
    expect(byFraction.train.map((r) => r.time)).toEqual(['2020-10-01', '2020-11-30T10:00:00', '2020-12-01']);
    const byCutoff = splitByTime(data, { column: 'c', cutoff: '2020-12-01' });
    expect(byCutoff.test.map((r) => r.time)).toEqual(['2020-12-01', '2021-01-05']);
    expect(() => splitByTime(data, { column: 'c', cutoff: '2030-01-01' })).toThrow(/0 test rows/);
  });
});
