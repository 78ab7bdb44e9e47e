export * from './delivery.repository';
export * from './delivery.service';
export * from './delivery.module';
export * from './chat-pacer';
export * from './outbound-messages.repository';
export * from './failed-deliveries.repository';
export * from './failed-deliveries.service';
export * from './message-deliveries.service';
