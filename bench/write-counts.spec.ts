import { writesBetween } from './write-counts';

const table = (name: string, n: number) => ({ table: name, inserted: n, updated: n, hot: n / 2, deleted: 0 });

describe('writesBetween', () => {
  it("gives each table's and statement's growth over the burst, busiest first, idle ones left out", () => {
    const before = {
      tables: new Map([
        ['appeals', table('appeals', 10)],
        ['organisations', table('organisations', 5)],
      ]),
      statements: new Map([
        ['INSERT a', { statement: 'INSERT a', calls: 1, rows: 1, walRecords: 5, walBytes: 50 }],
      ]),
    };
    const after = {
      tables: new Map([
        ['appeals', table('appeals', 30)],
        ['organisations', table('organisations', 5)],
        ['event_outbox', table('event_outbox', 100)],
      ]),
      statements: new Map([
        ['INSERT a', { statement: 'INSERT a', calls: 3, rows: 4, walRecords: 25, walBytes: 250 }],
        ['UPDATE b', { statement: 'UPDATE b', calls: 2, rows: 2, walRecords: 10, walBytes: 900 }],
      ]),
    };
    const w = writesBetween(before, after);
    expect(w.tables).toEqual([
      { table: 'event_outbox', inserted: 100, updated: 100, hot: 50, deleted: 0 },
      { table: 'appeals', inserted: 20, updated: 20, hot: 10, deleted: 0 },
    ]);
    expect(w.statements).toEqual([
      { statement: 'UPDATE b', calls: 2, rows: 2, walRecords: 10, walBytes: 900 },
      { statement: 'INSERT a', calls: 2, rows: 3, walRecords: 20, walBytes: 200 },
    ]);
  });

  it('has no statements where the server does not count them', () => {
    const tables = new Map([['appeals', table('appeals', 1)]]);
    expect(writesBetween({ tables }, { tables }).statements).toBeUndefined();
  });
});
