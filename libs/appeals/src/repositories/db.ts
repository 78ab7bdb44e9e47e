/** Where a repository method runs: the pool, or the caller's transaction (libs/database). */
export type { Db } from '@inbox/database';
