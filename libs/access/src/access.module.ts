import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service';
import { StaffAuthGuard } from './staff-auth.guard';
import { StaffUsers } from './staff-users.service';

@Global()
@Module({
  providers: [StaffUsers, AuditLog, StaffAuthGuard],
  exports: [StaffUsers, AuditLog, StaffAuthGuard],
})
export class AccessModule {}
