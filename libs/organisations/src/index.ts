export * from './organisation.entity';
export * from './organisations.repository';
export * from './organisation-tree';
export * from './organisation-directory.service';
export * from './organisations.module';
