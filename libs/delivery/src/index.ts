export * from './delivery.service';
export * from './delivery.module';
