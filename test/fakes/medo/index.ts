export * from './gateway';
export * from './packages';
export * from './schema';
