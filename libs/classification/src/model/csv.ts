import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import * as zlib from 'node:zlib';

/** Raised for bad user input (missing file or column, empty file…): the CLI prints the message and exits 2. */
export class ClassifierInputError extends Error {
  override readonly name = 'ClassifierInputError';
}

export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvParserOptions {
  /** A fixed delimiter, or `auto` (default): the most frequent of `,` `;` TAB in the first record, outside quotes. */
  readonly delimiter?: CsvDelimiter | 'auto';
}

const CANDIDATE_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

/**
 * Incremental RFC 4180 parser: feed it text chunks of any size (a chunk may end inside a quoted field,
 * between `\r` and `\n`…), get complete records back. Handles quoted fields with embedded delimiters,
 * newlines and doubled quotes, a leading BOM, CRLF/LF/CR line ends, and skips blank lines.
 * Lenient with malformed input the way spreadsheets are: a stray quote inside an unquoted field is kept
 * literally, text after a closing quote is appended to the field.
 */
export class CsvParser {
  private delimiter: CsvDelimiter | undefined;
  private started = false;
  /** Text held back until the first record is complete, to detect the delimiter. */
  private pending = '';
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  /** Inside a quoted field, the previous character was a quote (either closing or the first of a pair). */
  private quoteSeen = false;
  /** The previous chunk ended with `\r`: a leading `\n` in the next chunk belongs to that line end. */
  private skipLf = false;
  /** The current field started with a quote (so an empty quoted field still counts as content). */
  private fieldQuoted = false;

  constructor(options: CsvParserOptions = {}) {
    if (options.delimiter && options.delimiter !== 'auto') this.delimiter = options.delimiter;
  }

  /** The delimiter in use (known after the first record). */
  get detectedDelimiter(): CsvDelimiter | undefined {
    return this.delimiter;
  }

  push(chunk: string): string[][] {
    let text = chunk;
    if (!this.started) {
      if (this.pending.length === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (this.delimiter === undefined) {
        this.pending += text;
        const detected = detectDelimiter(this.pending, false);
        if (detected === undefined) return [];
        this.delimiter = detected;
        text = this.pending;
        this.pending = '';
      }
      this.started = true;
    }
    const out: string[][] = [];
    this.consume(text, out);
    return out;
  }

  /** Flushes the last record (a file need not end with a newline). */
  end(): string[][] {
    const out: string[][] = [];
    if (!this.started) {
      this.delimiter = this.delimiter ?? detectDelimiter(this.pending, true) ?? ',';
      this.started = true;
      const text = this.pending;
      this.pending = '';
      this.consume(text, out);
    }
    // An unterminated quoted field keeps what it has rather than losing the record.
    this.inQuotes = false;
    this.quoteSeen = false;
    if (this.field.length > 0 || this.record.length > 0 || this.fieldQuoted) this.finishRecord(out);
    return out;
  }

  private finishField(): void {
    this.record.push(this.field);
    this.field = '';
    this.fieldQuoted = false;
  }

  private finishRecord(out: string[][]): void {
    const quoted = this.fieldQuoted;
    this.finishField();
    const record = this.record;
    this.record = [];
    if (record.length === 1 && record[0] === '' && !quoted) return; // blank line
    out.push(record);
  }

  private consume(text: string, out: string[][]): void {
    const delimiter = this.delimiter as CsvDelimiter;
    const n = text.length;
    let i = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (n > 0 && text[0] === '\n') i = 1;
    }
    while (i < n) {
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (text[i] === '"') {
            this.field += '"';
            i++;
            continue;
          }
          this.inQuotes = false; // that quote closed the field; fall through to unquoted handling
          continue;
        }
        const q = text.indexOf('"', i);
        if (q < 0) {
          this.field += text.slice(i);
          return;
        }
        this.field += text.slice(i, q);
        this.quoteSeen = true;
        i = q + 1;
        continue;
      }
      const c = text[i];
      if (c === delimiter) {
        this.finishField();
        i++;
      } else if (c === '\n') {
        this.finishRecord(out);
        i++;
      } else if (c === '\r') {
        this.finishRecord(out);
        i++;
        if (i < n) {
          if (text[i] === '\n') i++;
        } else {
          this.skipLf = true;
        }
      } else if (c === '"' && this.field.length === 0 && !this.fieldQuoted) {
        this.inQuotes = true;
        this.fieldQuoted = true;
        i++;
      } else {
        // Plain run up to the next special character.
        let j = i + 1;
        while (j < n) {
          const d = text[j];
          if (d === delimiter || d === '\n' || d === '\r') break;
          j++;
        }
        this.field += text.slice(i, j);
        i = j;
      }
    }
  }
}

/**
 * Counts candidate delimiters in the first record (outside quotes). Returns undefined when the first
 * record is not complete yet and `final` is false.
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

/** Parses a whole CSV string (tests, small inputs). */
export function parseCsv(text: string, options: CsvParserOptions = {}): string[][] {
  const parser = new CsvParser(options);
  return [...parser.push(text), ...parser.end()];
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

/**
 * Streams the records of a `.csv` or `.csv.gz` file (gzip is recognised by its magic bytes), header first.
 * Memory use is bounded by the largest record, so files of any size work.
 */
export async function* readCsvRecords(
  path: string,
  options: CsvParserOptions = {},
): AsyncGenerator<string[]> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new ClassifierInputError(`data file not found: ${path}`);
  }
  if (!stat.isFile()) throw new ClassifierInputError(`not a file: ${path}`);
  if (stat.size === 0) throw new ClassifierInputError(`CSV file is empty: ${path}`);
  const raw = fs.createReadStream(path, { highWaterMark: 1 << 20 });
  const stream: NodeJS.ReadableStream = isGzip(path) ? raw.pipe(zlib.createGunzip()) : raw;
  const decoder = new StringDecoder('utf8');
  const parser = new CsvParser(options);
  try {
    for await (const chunk of stream) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      for (const record of parser.push(text)) yield record;
    }
  } catch (error) {
    if (error instanceof ClassifierInputError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ClassifierInputError(`cannot read ${path}: ${message}`);
  } finally {
    raw.destroy();
  }
  for (const record of parser.push(decoder.end())) yield record;
  for (const record of parser.end()) yield record;
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
