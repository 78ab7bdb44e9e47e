export * from './delivery.repository';
export * from './delivery.service';
export * from './delivery.module';
export * from './chat-pacer';
export * from './failed-deliveries';
