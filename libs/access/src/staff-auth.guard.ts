import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, forbiddenError } from '@inbox/common';
import { type AccessScope } from './access-scope';
import { AuditLog } from './audit-log.repository';
import { type Role } from './roles';
import { sessionEnded, type StaffUser, StaffUsers } from './staff-users.service';

export interface StaffContext {
  user: StaffUser;
  scope: AccessScope;
}

const ROLES_KEY = 'staff-roles';
const signInRequired = () => new DomainError('unauthenticated', 'Требуется вход в систему');
const PUBLIC_KEY = 'staff-public';
const TEMPORARY_PASSWORD_KEY = 'staff-temporary-password-allowed';
export const PASSWORD_CHANGE_REQUIRED = 'Смените временный пароль, чтобы продолжить';

/** Limits an endpoint to some roles; without it any signed-in staff member may call it. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Marks an endpoint that needs no sign-in (the citizens' form, health, sign-in itself). */
export const PublicEndpoint = () => SetMetadata(PUBLIC_KEY, true);
/**
 * Marks one of the few endpoints an account with a temporary password may call (who am I, change my password).
 * Every other endpoint refuses it with 403 until the password is changed.
 */
export const AllowedWithTemporaryPassword = () => SetMetadata(TEMPORARY_PASSWORD_KEY, true);

export const Staff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffContext => {
  const staff = ctx.switchToHttp().getRequest<{ staff?: StaffContext }>().staff;
  if (!staff) throw signInRequired();
  return staff;
});

/** The token of an `Authorization: Bearer …` header; '' without one. */
export function bearerToken(header: string | undefined): string {
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

/** Bearer token → the active user and their scope, on every endpoint not marked public. */
@Injectable()
export class StaffAuthGuard implements CanActivate {
  constructor(
    private readonly users: StaffUsers,
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = ctx.switchToHttp().getRequest<{
      headers: Record<string, string>;
      method?: string;
      route?: { path?: string };
      staff?: StaffContext;
    }>();
    const token = bearerToken(request.headers.authorization);
    const user = token ? await this.users.authenticate(token) : undefined;
    if (!user)
      throw token && (await this.users.sessionLifetimeOver(token)) ? sessionEnded() : signInRequired();
    if (
      user.mustChangePassword &&
      !this.reflector.getAllAndOverride<boolean>(TEMPORARY_PASSWORD_KEY, targets)
    ) {
      await this.audit.record({
        userId: user.id,
        action: 'call-endpoint',
        entityType: 'endpoint',
        outcome: 'denied',
        details: { method: request.method, route: request.route?.path, reason: 'password-change-required' },
      });
      throw forbiddenError(PASSWORD_CHANGE_REQUIRED);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) {
      // Every refusal is on record: who tried which endpoint (its route pattern, never the values in it).
      await this.audit.record({
        userId: user.id,
        action: 'call-endpoint',
        entityType: 'endpoint',
        outcome: 'denied',
        details: { method: request.method, route: request.route?.path, role: user.role },
      });
      throw forbiddenError('Недостаточно прав для этого действия');
    }
    request.staff = { user, scope: await this.users.scopeOf(user) };
    return true;
  }
}
