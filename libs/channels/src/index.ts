export {
  channelsFromEnv,
  type ChannelsFromEnv,
  type ConfiguredAccount,
  type ConnectorKind,
} from '@inbox/config';
export * from './channel-accounts.repository';
export * from './channel-accounts-admin.service';
export * from './account-specs';
export * from './channel-secrets';
export * from './channel-registry.service';
export * from './account-scope';
export * from './inbound-events.repository';
export * from './inbound-events.service';
export * from './channel-puller.service';
export * from './channel-intake.service';
export * from './channels.module';
export * from './appeal-events-outbox.repository';
export * from './appeal-event-hooks.service';
export * from './event-outbox-panel.service';
export * from './quarantine-panel.service';
export * from './quarantined-inputs.repository';
