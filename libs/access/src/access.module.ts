import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service';
import { StaffAuthGuard } from './staff-auth.guard';
import { StaffUsersRepository } from './staff-users.repository';
import { StaffUsers } from './staff-users.service';

@Global()
@Module({
  providers: [StaffUsersRepository, StaffUsers, AuditLog, StaffAuthGuard],
  exports: [StaffUsers, AuditLog, StaffAuthGuard],
})
export class AccessModule {}
