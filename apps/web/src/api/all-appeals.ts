import { type Progress } from '../components/common';
import { call } from './client';
import { type AppealPage, type AppealSummary } from './types';

/** A page of the list API as large as it gives: an export reads the result in as few requests as it can. */
const EXPORT_PAGE = 200;

/**
 * Every appeal a list filter finds, page by page (not only the rows loaded on a screen), reporting how many
 * have come of how many the server counts, for an export's progress bar.
 */
export async function allAppeals(
  filter: Record<string, string | string[] | boolean | undefined>,
  progress: Progress,
): Promise<AppealSummary[]> {
  const all: AppealSummary[] = [];
  // A search is counted only up to a cap: then the bar runs a page ahead of what has come.
  const { total, capped } = await call('appealCount', { query: filter });
  const expected = (loaded: number, more: boolean) =>
    capped ? loaded + (more ? EXPORT_PAGE : 0) : Math.max(total, loaded);
  progress(0, expected(0, true));
  let cursor: string | null = null;
  do {
    const page: AppealPage = await call('appeals', {
      query: { ...filter, limit: EXPORT_PAGE, cursor: cursor ?? undefined },
    });
    all.push(...page.items);
    cursor = page.nextCursor;
    progress(all.length, expected(all.length, cursor !== null));
  } while (cursor);
  return all;
}
