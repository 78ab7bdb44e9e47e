export * from './routing-match';
export * from './routing-errors';
export * from './routing-rules.service';
export * from './demo-rules';
export * from './routing.module';
