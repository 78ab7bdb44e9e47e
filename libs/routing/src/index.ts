export * from './routing-match';
export * from './routing-errors';
export * from './routing-rules.service';
export * from './routing-rules.repository';
export * from './routing.module';
