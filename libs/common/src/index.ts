export * from './logger';
export * from './pagination';
export * from './clock';
export * from './domain-error';
export * from './ids';
export * from './safe-text';
export * from './sizes';
export * from './content-sniffing';
