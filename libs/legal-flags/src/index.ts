export * from './legal-flags';
export * from './legal-flags.repository';
export * from './legal-flags.service';
export * from './legal-flags.module';
