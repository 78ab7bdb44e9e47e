/**
 * /health counts backlogs up to this many and stops (issue 18): a count that reaches it means "at least this",
 * so the endpoint costs the same whether 1 000 or 10 M rows wait.
 */
export const HEALTH_COUNT_CAP = 1000;

/** SQL counting the rows a (`FROM … WHERE …`) selects, stopping at HEALTH_COUNT_CAP. */
export function cappedCountSql(fromWhere: string): string {
  return `(SELECT count(*)::int FROM (SELECT 1 ${fromWhere} LIMIT ${HEALTH_COUNT_CAP}) capped)`;
}
