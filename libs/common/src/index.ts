export * from './logger';
export * from './pagination';
export * from './clock';
