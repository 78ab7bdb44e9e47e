export * from './channel-accounts';
export * from './channel-registry.service';
export * from './inbound-events.service';
export * from './channel-puller.service';
export * from './channel-intake.service';
export * from './channels.module';
export * from './appeal-event-hooks.service';
