export * from './incidents.repository';
export * from './incidents.service';
export * from './incidents.module';
export * from './incident-membership.command';
