import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  ClassifierInputError,
  csvRecordsWithLines,
  detectDelimiter,
  parseCsv,
  readCsvColumns,
  readCsvRecords,
} from './csv';

describe('CSV through csv-parse', () => {
  it('parses quoted fields with delimiters, doubled quotes and newlines', () => {
    const text = 'id,text\r\n1,"a, b"\r\n2,"say ""hi""\nsecond line"\n3,plain\n';
    expect(parseCsv(text)).toEqual([
      ['id', 'text'],
      ['1', 'a, b'],
      ['2', 'say "hi"\nsecond line'],
      ['3', 'plain'],
    ]);
  });

  it('strips a BOM, detects ";" and keeps empty fields', () => {
    expect(parseCsv('\uFEFFa;b;c\n1;;"x;y"\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '', 'x;y'],
    ]);
  });

  it('detects the delimiter outside quotes only', () => {
    expect(detectDelimiter('"a;b;c",d\n', false)).toBe(',');
    expect(detectDelimiter('a\tb\tc\n', false)).toBe('\t');
    expect(detectDelimiter('"unfinished;header', false)).toBeUndefined();
  });

  it('skips blank rows, keeps a stray quote inside an unquoted field', () => {
    expect(parseCsv('a,b\n\n1,x"y\n , \n2,z')).toEqual([
      ['a', 'b'],
      ['1', 'x"y'],
      ['2', 'z'],
    ]);
  });

  it('numbers records by their row as a spreadsheet shows them (a multi-line cell is one row)', () => {
    const records = csvRecordsWithLines('h1;h2\r\n\r\n1;"two\r\nlines"\r\n2;x\r\n\r\n\r\n3;"a\nb\nc"\n4;y');
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, 'h1'],
      [3, '1'],
      [4, '2'],
      [7, '3'],
      [8, '4'],
    ]);
    expect(records[1].fields[1]).toBe('two\r\nlines');
  });

  it('reports an unclosed quote with its line', () => {
    expect(() => parseCsv('a,b\n1,2\n3,"open\n')).toThrow(/line \d+.*Quote Not Closed/);
  });
});

describe('reading files', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-spec-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads .csv.gz by magic bytes and selects columns case-insensitively', async () => {
    const file = path.join(dir, 'data.csv.gz');
    const rows = ['Text;Label;extra', ...Array.from({ length: 500 }, (_, i) => `"row ${i}; ok";L${i % 3};e`)];
    fs.writeFileSync(file, zlib.gzipSync(rows.join('\n')));
    const table = await readCsvColumns(file, ['text', 'Label']);
    expect(table.rows).toBe(500);
    expect(table.columns.text[7]).toBe('row 7; ok');
    expect(table.columns.Label[7]).toBe('L1');
  });

  it('reports missing files, empty files and missing columns clearly', async () => {
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    const headerOnly = path.join(dir, 'header.csv');
    fs.writeFileSync(headerOnly, 'a,b\n');
    await expect(readCsvColumns(path.join(dir, 'nope.csv'), ['a'])).rejects.toThrow(/not found/);
    await expect(readCsvColumns(empty, ['a'])).rejects.toThrow(/empty/);
    await expect(readCsvColumns(headerOnly, ['a'])).rejects.toThrow(/no data rows/);
    await expect(readCsvColumns(headerOnly, ['c'])).rejects.toThrow(
      new ClassifierInputError(`column "c" not found in ${headerOnly}; available columns: a, b`),
    );
  });

  it('streams records', async () => {
    const file = path.join(dir, 'stream.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n3,4');
    const records: string[][] = [];
    for await (const record of readCsvRecords(file)) records.push(record);
    expect(records).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });
});
