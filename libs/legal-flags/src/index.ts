export * from './legal-flags';
export * from './legal-flags.service';
export * from './legal-flags.module';
