export * from './advisory-locks';
export * from './data-source';
export * from './database.module';
export * from './sql';
