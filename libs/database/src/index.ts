export * from './advisory-locks';
export * from './data-source';
export * from './database.module';
export * from './guarded-client';
export * from './sql';
