export * from './incidents.service';
export * from './incidents.module';
