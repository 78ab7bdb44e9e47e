import { CsvParser } from '../model';

export interface NumberedRecord {
  /**
   * The row (1-based, the header is row 1) as a spreadsheet shows the file: a blank line is a row, a quoted
   * cell spanning several lines is still one row.
   */
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * Parses CSV text (`,` `;` or TAB, detected) into records that remember their row, so that problems are
 * reported as "строка 7" the way the person sees the file in Excel.
 */
export function csvRecordsWithLines(text: string): NumberedRecord[] {
  const parser = new CsvParser();
  const out: NumberedRecord[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  let row = 0;
  /** The row of the record being read; undefined between records. */
  let start: number | undefined;
  const take = (records: string[][]) => {
    for (const fields of records) {
      out.push({ line: start ?? row, fields });
      start = undefined;
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (start === undefined) {
      // Not inside a multi-line cell: this line is a row of its own (a blank one is skipped by the parser).
      row++;
      if (line.replace(/^\uFEFF/, '').trim() !== '') start = row;
    }
    take(parser.push(i < lines.length - 1 ? `${line}\n` : line));
  }
  take(parser.end());
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
