import { type EntityManager } from 'typeorm';

/** Where a repository method runs: the data source itself, or the caller's transaction. */
export type Db = Pick<EntityManager, 'query'>;
