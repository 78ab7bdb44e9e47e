export * from './organisation.entity';
export * from './organisation-directory.service';
export * from './organisations.module';
