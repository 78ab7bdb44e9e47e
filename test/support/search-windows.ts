import { type AccessScope, SYSTEM_SCOPE } from '@inbox/access';
import {
  type AppealListFilter,
  AppealsRepository,
} from '../../libs/appeals/src/repositories/appeals.repository';
import { type TestDatabase } from './test-database';

/**
 * A page of a windowed search through the repository (a fresh one: statistics read again), and every match its
 * windows read from the table: what the repository sends (TypeORM's query, called through), each window's
 * statement counted again without its limit (every match the window reads to order).
 */
export async function searchWindowReads(
  db: TestDatabase,
  filter: AppealListFilter,
  scope: AccessScope = SYSTEM_SCOPE,
): Promise<{
  items: number;
  windows: number;
  read: number;
  filtered: number;
  indexes: string[];
  statements: string[];
}> {
  const sent: [string, unknown[]][] = [];
  const query = db.dataSource.query.bind(db.dataSource);
  const spy = jest.spyOn(db.dataSource, 'query').mockImplementation((sql: string, params?: unknown[]) => {
    sent.push([sql, params ?? []]);
    return query(sql, params);
  });
  let page;
  try {
    page = await new AppealsRepository(db.dataSource).list(filter, scope);
  } finally {
    spy.mockRestore();
  }
  // The windows' statements (the page's own, which reads the page's rows by id, ends the same way).
  const order =
    filter.sort === 'due'
      ? /ORDER BY a\.answer_due_at ASC, a\.id ASC\s+LIMIT \$\d+\s*$/
      : /ORDER BY a\.registered_at DESC, a\.id DESC\s+LIMIT \$\d+\s*$/;
  const windows = sent.filter(
    ([sql]) => /^SELECT a\.id FROM (appeals a WHERE|\(SELECT a\.id)/.test(sql) && order.test(sql),
  );
  let read = 0;
  // The rows the windows' plans fetched and then dropped by a filter (a walk of the time's index testing the text).
  let filtered = 0;
  // The indexes the windows' plans read.
  const indexes = new Set<string>();
  for (const [sql, params] of windows) {
    const all = sql.replace(/LIMIT (\$\d+)\s*$/, 'LIMIT NULLIF($1::bigint, $1::bigint)');
    const [{ n }] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM (${all}) w`, params)) as {
      n: number;
    }[];
    read += n;
    const [{ 'QUERY PLAN': plan }] = (await db.dataSource.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      params,
    )) as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
    filtered += removedByFilter(plan[0].Plan);
    for (const index of indexesOf(plan[0].Plan)) indexes.add(index);
  }
  return {
    items: page.items.length,
    windows: windows.length,
    read,
    filtered,
    indexes: [...indexes],
    statements: windows.map(([sql]) => sql),
  };
}

interface PlanNode {
  'Index Name'?: string;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function removedByFilter(node: PlanNode): number {
  const own =
    ((node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) *
    (node['Actual Loops'] ?? 1);
  return own + (node.Plans ?? []).reduce((sum, child) => sum + removedByFilter(child), 0);
}

function indexesOf(node: PlanNode): string[] {
  return [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexesOf)];
}
