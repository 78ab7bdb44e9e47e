export * from './appeal-status';
export * from './appeal.entities';
export * from './access-code';
export * from './registration-number';
export * from './appeal-registrar.service';
export * from './appeal-queries.service';
export * from './appeals.module';
export * from './workflow';
