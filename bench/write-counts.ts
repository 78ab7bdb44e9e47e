import { Client } from 'pg';
import { printGrid } from './report';

/** One table's row writes (`pg_stat_user_tables`), or one statement's calls and WAL (`pg_stat_statements`). */
export interface TableWrites {
  table: string;
  inserted: number;
  updated: number;
  /** Of `updated`, heap-only: no index written. */
  hot: number;
  deleted: number;
}

export interface StatementWrites {
  statement: string;
  calls: number;
  rows: number;
  walRecords: number;
  walBytes: number;
}

/**
 * What the burst wrote, counted by Postgres itself: rows per table and, where the server preloads
 * `pg_stat_statements`, calls and WAL per statement. Unlike CPU or wall time these do not move with the machine's
 * load, so two builds are compared on a shared machine by what each makes Postgres do for an appeal.
 */
export interface WriteCounts {
  tables: TableWrites[];
  /** Undefined when `pg_stat_statements` is not loaded on the server (it needs `shared_preload_libraries`). */
  statements?: StatementWrites[];
}

interface Snapshot {
  tables: Map<string, TableWrites>;
  statements?: Map<string, StatementWrites>;
}

/** Cumulative counters stay in a backend until it flushes them (at most a second after it goes idle). */
const FLUSH_WAIT_MS = 1_500;

/** Counters before the burst; `stop()` reads them again and gives the difference. */
export class WriteCounter {
  private constructor(
    private readonly databaseUrl: string,
    private readonly before: Snapshot,
  ) {}

  static async start(databaseUrl: string): Promise<WriteCounter> {
    return new WriteCounter(databaseUrl, await snapshot(databaseUrl));
  }

  async stop(): Promise<WriteCounts> {
    await new Promise((r) => setTimeout(r, FLUSH_WAIT_MS));
    return writesBetween(this.before, await snapshot(this.databaseUrl));
  }
}

async function snapshot(databaseUrl: string): Promise<Snapshot> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'bench-write-counts' });
  await client.connect();
  try {
    const tables = await client.query<TableWrites>(
      `SELECT relname AS "table", n_tup_ins::float8 AS inserted, n_tup_upd::float8 AS updated,
              n_tup_hot_upd::float8 AS hot, n_tup_del::float8 AS deleted
         FROM pg_stat_user_tables`,
    );
    let statements: StatementWrites[] | undefined;
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      statements = (
        await client.query<StatementWrites>(
          `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS statement, sum(calls)::float8 AS calls,
                  sum(rows)::float8 AS rows, sum(wal_records)::float8 AS "walRecords",
                  sum(wal_bytes)::float8 AS "walBytes"
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            GROUP BY 1`,
        )
      ).rows;
    } catch {
      // Not preloaded: the view exists but refuses to be read, or the extension is not installed.
      statements = undefined;
    }
    return {
      tables: new Map(tables.rows.map((t) => [t.table, t])),
      statements: statements && new Map(statements.map((s) => [s.statement, s])),
    };
  } finally {
    await client.end();
  }
}

/** Each of `after`'s numeric fields less `before`'s (zero where `before` has no such entry). */
function grown<T extends object>(after: T, before: T | undefined): T {
  const out = { ...after } as Record<string, unknown>;
  for (const [key, value] of Object.entries(after))
    if (typeof value === 'number')
      out[key] = value - ((before as Record<string, number> | undefined)?.[key] ?? 0);
  return out as T;
}

/** The counters' growth between two snapshots, tables and statements that did nothing left out. */
export function writesBetween(before: Snapshot, after: Snapshot): WriteCounts {
  const busy = (t: TableWrites) => t.inserted + t.updated + t.deleted;
  const tables = [...after.tables.values()]
    .map((a) => grown(a, before.tables.get(a.table)))
    .filter((t) => busy(t) > 0)
    .sort((x, y) => busy(y) - busy(x));
  const statements =
    after.statements &&
    [...after.statements.values()]
      .map((a) => grown(a, before.statements?.get(a.statement)))
      .filter((s) => s.calls > 0)
      .sort((x, y) => y.walBytes - x.walBytes);
  return { tables, statements };
}

/** Each item's counts per appeal (the first `top` items), then a line of every item's sums. */
function perAppealRows<T>(
  items: T[],
  appeals: number,
  top: number,
  what: string,
  name: (item: T) => string,
  counts: (item: T) => number[],
): string[][] {
  const perAppeal = (ns: number[]) => ns.map((n) => (n / Math.max(appeals, 1)).toFixed(2));
  const sums = items.reduce<number[]>((acc, item) => counts(item).map((n, i) => n + (acc[i] ?? 0)), []);
  return [
    ...items.slice(0, top).map((item) => [name(item), ...perAppeal(counts(item))]),
    [`all ${items.length} ${what}`, ...perAppeal(sums)],
  ];
}

/** Rows written per appeal, by table (with a total line), then statements per appeal by WAL, when counted. */
export function printWriteCounts(title: string, w: WriteCounts, appeals: number, top = 16): void {
  printGrid(
    `${title} · rows written per appeal (pg_stat_user_tables)`,
    ['table', 'inserted', 'updated', 'of them HOT', 'deleted'],
    perAppealRows(
      w.tables,
      appeals,
      top,
      'tables',
      (t) => t.table,
      (t) => [t.inserted, t.updated, t.hot, t.deleted],
    ),
  );
  if (!w.statements) {
    console.log('  statements and WAL per appeal: pg_stat_statements is not preloaded on this server');
    return;
  }
  printGrid(
    `${title} · statements per appeal, most WAL first (pg_stat_statements; the bench's own polls among them)`,
    ['statement', 'calls', 'rows', 'WAL records', 'WAL bytes'],
    perAppealRows(
      w.statements,
      appeals,
      top,
      'statements',
      (s) => s.statement,
      (s) => [s.calls, s.rows, s.walRecords, s.walBytes],
    ),
  );
}
