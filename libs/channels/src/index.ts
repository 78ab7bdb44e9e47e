export * from './channel-accounts';
export * from './channel-registry.service';
export * from './channels.module';
