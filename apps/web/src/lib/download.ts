import { type Cell, csv, xlsx } from './xlsx';

export interface Table {
  /** File name without the extension. */
  name: string;
  header: string[];
  rows: Cell[][];
}

/** Hands `blob` to the browser as a download named `fileName`. */
export function save(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadTable(table: Table, format: 'csv' | 'xlsx'): void {
  const stamp = new Date().toISOString().slice(0, 10);
  if (format === 'csv') {
    save(
      new Blob([csv(table.header, table.rows)], { type: 'text/csv;charset=utf-8' }),
      `${table.name}-${stamp}.csv`,
    );
  } else {
    const bytes = xlsx(table.name, table.header, table.rows);
    save(
      new Blob([bytes.buffer as ArrayBuffer], {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      }),
      `${table.name}-${stamp}.xlsx`,
    );
  }
}
