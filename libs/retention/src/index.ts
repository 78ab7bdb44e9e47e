export * from './personal-data-retention.service';
export * from './retention.module';
