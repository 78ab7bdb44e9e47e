import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { type CsvError, type Options, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

/** Raised for bad user input (missing file or column, empty file…): the CLI prints the message and exits 2. */
export class ClassifierInputError extends Error {
  override readonly name = 'ClassifierInputError';
}

export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvReadOptions {
  /** A fixed delimiter, or `auto` (default): the most frequent of `,` `;` TAB in the first record, outside quotes. */
  readonly delimiter?: CsvDelimiter | 'auto';
}

const CANDIDATE_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

/**
 * Counts candidate delimiters in the first record (outside quotes). Returns undefined when the first
 * record is not complete yet and `final` is false. Excel in Russia saves with `;`, other tools with `,`.
 */
export function detectDelimiter(text: string, final: boolean): CsvDelimiter | undefined {
  const counts = new Map<CsvDelimiter, number>(CANDIDATE_DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  let complete = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      inQuotes = !inQuotes;
    } else if (!inQuotes && (c === '\n' || c === '\r')) {
      complete = true;
      break;
    } else if (!inQuotes && counts.has(c as CsvDelimiter)) {
      counts.set(c as CsvDelimiter, (counts.get(c as CsvDelimiter) ?? 0) + 1);
    }
  }
  if (!complete && !final) return undefined;
  let best: CsvDelimiter = ',';
  let bestCount = 0;
  for (const d of CANDIDATE_DELIMITERS) {
    const count = counts.get(d) ?? 0;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * csv-parse settings shared by files and uploads: RFC 4180 quoting, a leading BOM dropped, rows of any
 * length, a stray quote inside an unquoted field kept literally (as spreadsheets do), blank lines skipped.
 */
function parserOptions(delimiter: CsvDelimiter): Options {
  return {
    delimiter,
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Files mix line ends (a CRLF export edited on Linux): any of them ends a record.
    record_delimiter: ['\r\n', '\n', '\r'],
  };
}

const blank = (record: readonly string[]): boolean => record.every((field) => field.trim() === '');

function describe(error: unknown): string {
  const e = error as Partial<CsvError> & Error;
  return typeof e.lines === 'number' ? `line ${e.lines}: ${e.message}` : e.message;
}

/** Parses a whole CSV string (tests, small inputs); rows whose every cell is blank are skipped. */
export function parseCsv(text: string, options: CsvReadOptions = {}): string[][] {
  return csvRecordsWithLines(text, options).map((r) => [...r.fields]);
}

export interface NumberedRecord {
  /**
   * The row (1-based, the header is row 1) as a spreadsheet shows the file: a blank line is a row, a quoted
   * cell spanning several lines is still one row (it starts here).
   */
  readonly line: number;
  readonly fields: readonly string[];
}

const countBreaks = (text: string): number => text.match(/\r\n|\r|\n/g)?.length ?? 0;

/**
 * Parses CSV text (`,` `;` or TAB, detected) into records that remember their row, so that problems are
 * reported as "строка 7" the way the person sees the file in Excel.
 */
export function csvRecordsWithLines(text: string, options: CsvReadOptions = {}): NumberedRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  const delimiter =
    options.delimiter && options.delimiter !== 'auto' ? options.delimiter : detectDelimiter(body, true)!;
  let parsed: { record: string[]; raw: string }[];
  try {
    parsed = parseSync(body, {
      ...parserOptions(delimiter),
      raw: true,
    }) as unknown as typeof parsed;
  } catch (error) {
    throw new ClassifierInputError(`CSV: ${describe(error)}`);
  }
  const out: NumberedRecord[] = [];
  // Each record's raw text starts with the blank lines skipped before it (a row each, as a spreadsheet
  // shows them); a record is one row however many line breaks its quoted cells hold.
  let rows = 0;
  for (const { record, raw } of parsed) {
    rows += countBreaks(/^(?:\r\n|\r|\n|[ \t])*/.exec(raw)?.[0] ?? '') + 1;
    if (!blank(record)) out.push({ line: rows, fields: record });
  }
  return out;
}

/** The index of each wanted column by any of its names (case and spaces ignored), or -1. */
export function columnIndex(header: readonly string[], names: readonly string[]): number {
  const folded = header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  for (const name of names) {
    const i = folded.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

function isGzip(path: string): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const read = fs.readSync(fd, magic, 0, 2, 0);
    return read === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's bytes, gunzipped when needed; `close` releases the file whether or not it was read to the end. */
function openText(path: string): { stream: NodeJS.ReadableStream; close: () => void } {
  const raw = fs.createReadStream(path, { highWaterMark: 1 << 20 });
  if (!isGzip(path)) return { stream: raw, close: () => raw.destroy() };
  const gunzip = zlib.createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return {
    stream: raw.pipe(gunzip),
    close: () => {
      gunzip.destroy();
      raw.destroy();
    },
  };
}

/** The first record's text (up to 1 MiB), enough to detect the delimiter. */
async function head(path: string): Promise<string> {
  const { stream, close } = openText(path);
  let text = '';
  try {
    for await (const chunk of stream) {
      text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      if (detectDelimiter(text, false) !== undefined || text.length >= 1 << 20) break;
    }
  } finally {
    close();
  }
  return text;
}

/**
 * Streams the records of a `.csv` or `.csv.gz` file (gzip is recognised by its magic bytes), header first,
 * through csv-parse. Memory use is bounded by the largest record, so files of any size work. A malformed
 * record stops the read with its line number.
 */
export async function* readCsvRecords(path: string, options: CsvReadOptions = {}): AsyncGenerator<string[]> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new ClassifierInputError(`data file not found: ${path}`);
  }
  if (!stat.isFile()) throw new ClassifierInputError(`not a file: ${path}`);
  if (stat.size === 0) throw new ClassifierInputError(`CSV file is empty: ${path}`);
  let delimiter: CsvDelimiter;
  try {
    delimiter =
      options.delimiter && options.delimiter !== 'auto'
        ? options.delimiter
        : detectDelimiter((await head(path)).replace(/^\uFEFF/, ''), true)!;
  } catch (error) {
    throw new ClassifierInputError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { stream: source, close } = openText(path);
  const parser = source.pipe(parse(parserOptions(delimiter)));
  source.on('error', (error: Error) => parser.destroy(error));
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!blank(record)) yield record;
    }
  } catch (error) {
    if (error instanceof ClassifierInputError) throw error;
    throw new ClassifierInputError(`cannot read ${path}: ${describe(error)}`);
  } finally {
    close();
  }
}

/** A CSV loaded column-wise: only the requested columns are kept in memory. */
export interface CsvColumns {
  readonly header: readonly string[];
  readonly rows: number;
  readonly columns: Readonly<Record<string, string[]>>;
}

/**
 * Reads the named columns of a CSV file. Column names are matched exactly first, then case-insensitively
 * with surrounding spaces trimmed. Throws a {@link ClassifierInputError} naming the available columns
 * when one is missing, or when the file has a header but no data rows.
 */
export async function readCsvColumns(path: string, wanted: readonly string[]): Promise<CsvColumns> {
  let header: string[] | undefined;
  let positions: number[] = [];
  const columns: Record<string, string[]> = {};
  let rows = 0;
  for await (const record of readCsvRecords(path)) {
    if (!header) {
      header = record;
      positions = wanted.map((name) => {
        let index = record.indexOf(name);
        if (index < 0) {
          const folded = name.trim().toLowerCase();
          index = record.findIndex((h) => h.trim().toLowerCase() === folded);
        }
        if (index < 0) {
          throw new ClassifierInputError(
            `column "${name}" not found in ${path}; available columns: ${record.join(', ')}`,
          );
        }
        return index;
      });
      for (const name of wanted) columns[name] = [];
      continue;
    }
    for (let k = 0; k < wanted.length; k++) columns[wanted[k]].push(record[positions[k]] ?? '');
    rows++;
  }
  if (!header) throw new ClassifierInputError(`CSV file is empty: ${path}`);
  if (rows === 0) throw new ClassifierInputError(`CSV file has a header but no data rows: ${path}`);
  return { header, rows, columns };
}
