export * from './roles';
export * from './passwords';
export * from './tokens';
export * from './access-scope';
export * from './staff-users.service';
export * from './audit-log.service';
export * from './staff-auth.guard';
export * from './access.module';
