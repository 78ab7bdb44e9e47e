export * from './channel';
export * from './inbound-item';
export * from './connector';
export * from './connector-error';
export * from './inbound-event';
export * from './capabilities';
export * from './account-settings';
export * from './http';
