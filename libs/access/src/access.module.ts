import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log.repository';
import { StaffAuthGuard } from './staff-auth.guard';
import { SignInLockouts } from './sign-in-lockouts.repository';
import { StaffEnrolmentRepository } from './staff-enrolment.repository';
import { StaffUsersRepository } from './staff-users.repository';
import { StaffUsers } from './staff-users.service';

@Global()
@Module({
  providers: [
    StaffUsersRepository,
    StaffEnrolmentRepository,
    SignInLockouts,
    StaffUsers,
    AuditLog,
    StaffAuthGuard,
  ],
  exports: [StaffUsers, AuditLog, StaffAuthGuard],
})
export class AccessModule {}
