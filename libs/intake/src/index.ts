export * from './intake.entities';
export * from './inbound-store.service';
export * from './intake.module';
export * from './inbound-retention.repository';
export { type ChannelAccountHealth } from './intake.repository';
