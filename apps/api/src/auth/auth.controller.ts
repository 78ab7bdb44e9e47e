import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { DomainError, invalidInput } from '@inbox/common';
import {
  AllowedWithTemporaryPassword,
  AuditLog,
  bearerToken,
  type Lockout,
  PublicEndpoint,
  ROLE_NAME_RU,
  Staff,
  type StaffContext,
  StaffUsers,
} from '@inbox/access';
import { MeDto, SessionDto } from './auth.responses';
import { NewPassword } from './new-password';
import { stacked } from '../stacked-decorators';
import { ClientAddress, RateLimited, SignInFailureBudget } from '../rate-limits/rate-limits';

/** A login as typed at sign-in (by password or by a reset's code). */
const Login = () =>
  stacked(
    ApiProperty({ example: 'operator' }),
    IsString({ message: 'Укажите логин' }),
    MinLength(1, { message: 'Укажите логин' }),
    MaxLength(100, { message: 'Логин не длиннее 100 символов' }),
  );

class LoginDto {
  @Login()
  login!: string;

  @ApiProperty({ example: 'demo' })
  @IsString({ message: 'Укажите пароль' })
  @MinLength(1, { message: 'Укажите пароль' })
  @MaxLength(200, { message: 'Пароль не длиннее 200 символов' })
  password!: string;
}

/** One's own new password: the same rules as a password the administrator sets. */
class ChangePasswordDto {
  @ApiProperty({ description: 'Действующий (в том числе временный) пароль' })
  @IsString({ message: 'Укажите текущий пароль' })
  @MinLength(1, { message: 'Укажите текущий пароль' })
  @MaxLength(200, { message: 'Пароль — не длиннее 200 символов' })
  currentPassword!: string;

  @NewPassword('Новый пароль; его знает только сотрудник', 'Укажите новый пароль')
  newPassword!: string;
}

/** Sign-in by a reset's one-time code: the login, the code and the password the owner chooses. */
class EnrolDto {
  @Login()
  login!: string;

  @ApiProperty({ example: 'ABCDE-FGHJK', description: 'Одноразовый код из письма или от администратора' })
  @IsString({ message: 'Укажите код' })
  @MinLength(1, { message: 'Укажите код' })
  @MaxLength(40, { message: 'Код не длиннее 40 символов' })
  code!: string;

  @NewPassword('Новый пароль; его знает только сотрудник', 'Укажите новый пароль')
  newPassword!: string;
}

const CODE_REFUSED = 'Неверный логин или код, или код уже использован';

const retryAfterOf = (lockout: Lockout) =>
  Math.max(1, Math.ceil((lockout.lockedUntil.getTime() - Date.now()) / 1000));

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(
    private readonly users: StaffUsers,
    private readonly audit: AuditLog,
    private readonly failures: SignInFailureBudget,
  ) {}

  @Post('auth/login')
  @PublicEndpoint()
  // Every request per address under a generous ceiling (RATE_LIMIT_SIGN_IN_ALL: each a scrypt); failures per
  // address and per login in a window (RATE_LIMIT_SIGN_IN), beside the lock-outs that grow over a day (users.signIn).
  @RateLimited('signIn')
  @HttpCode(200)
  @ApiOperation({ summary: 'Вход сотрудника: выдаёт короткоживущий токен' })
  @ApiOkResponse({ type: SessionDto })
  async login(@Body() body: LoginDto, @ClientAddress() address: string) {
    const giveBack = await this.failures.reserve(
      address,
      await this.users.signInSubject(body.login, address),
    );
    const outcome = await this.users.signIn(body.login, body.password, address);
    if (outcome.kind === 'signed-in') await giveBack();
    // A refusal names the account the login matched, never the typed login: it may be a password typed there.
    const denied = (accountId: string | null, details: Record<string, unknown> = {}) =>
      this.audit.record({
        userId: null,
        action: 'sign-in',
        entityType: 'user',
        entityId: accountId,
        outcome: 'denied',
        details: { knownAccount: accountId !== null, ...details },
      });
    if (outcome.kind === 'locked') {
      const retryAfter = retryAfterOf(outcome.lockout);
      await denied(outcome.accountId, { reason: 'locked-out', lockedBy: outcome.lockout.kind });
      throw new DomainError(
        'rate-limited',
        'Слишком много неудачных попыток входа. Попробуйте позже',
        undefined,
        retryAfter,
      );
    }
    if (outcome.kind === 'refused') {
      await denied(outcome.accountId);
      await this.recordLockouts(outcome.lockoutsStarted, outcome.accountId);
      throw new DomainError('unauthenticated', 'Неверный логин или пароль');
    }
    const session = outcome;
    await this.audit.record({
      userId: session.user.id,
      action: 'sign-in',
      entityType: 'user',
      entityId: session.user.id,
    });
    return {
      accessToken: session.token,
      expiresAt: session.expiresAt.toISOString(),
      user: this.present(session.user),
    };
  }

  @Post('auth/enrol')
  @PublicEndpoint()
  @RateLimited('signIn')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Вход по одноразовому коду после сброса пароля администратором: сотрудник задаёт свой пароль, код больше ' +
      'не действует; выдаёт токен, как вход',
  })
  @ApiOkResponse({ type: SessionDto })
  async enrol(@Body() body: EnrolDto, @ClientAddress() address: string) {
    // A wrong code is a guess as a wrong password is: the same budgets and lock-outs.
    const giveBack = await this.failures.reserve(
      address,
      await this.users.signInSubject(body.login, address),
    );
    const outcome = await this.users.redeemEnrolment(body.login, body.code, body.newPassword, address);
    if (outcome.kind === 'enrolled' || outcome.kind === 'expired') await giveBack();
    const denied = (accountId: string | null, reason: string) =>
      this.audit.record({
        userId: null,
        action: 'enrol',
        entityType: 'user',
        entityId: accountId,
        outcome: 'denied',
        details: { knownAccount: accountId !== null, reason },
      });
    if (outcome.kind === 'locked') {
      await denied(outcome.accountId, 'locked-out');
      throw new DomainError(
        'rate-limited',
        'Слишком много неудачных попыток входа. Попробуйте позже',
        undefined,
        retryAfterOf(outcome.lockout),
      );
    }
    if (outcome.kind === 'refused') {
      await denied(outcome.accountId, 'wrong-code');
      await this.recordLockouts(outcome.lockoutsStarted, outcome.accountId);
      throw invalidInput(CODE_REFUSED, { code: CODE_REFUSED });
    }
    if (outcome.kind === 'expired') {
      await denied(outcome.accountId, 'expired');
      const expired = 'Срок действия кода истёк: попросите администратора выдать новый';
      throw invalidInput(expired, { code: expired });
    }
    const { user } = outcome;
    // The password never goes to the audit log.
    await this.audit.record({ userId: user.id, action: 'enrol', entityType: 'user', entityId: user.id });
    const session = await this.users.issue(user);
    return {
      accessToken: session.token,
      expiresAt: session.expiresAt.toISOString(),
      user: this.present(user),
    };
  }

  @Post('auth/refresh')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Продлить сеанс: новый токен взамен действующего' })
  @ApiOkResponse({ type: SessionDto })
  async refresh(@Staff() staff: StaffContext, @Headers('authorization') authorization: string | undefined) {
    const session = await this.users.renew(staff.user, bearerToken(authorization));
    return {
      accessToken: session.token,
      expiresAt: session.expiresAt.toISOString(),
      user: this.present(staff.user),
    };
  }

  @Post('auth/password')
  @RateLimited('signIn')
  @HttpCode(204)
  @AllowedWithTemporaryPassword()
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Сменить свой пароль (после входа с временным паролем — единственное доступное действие); ' +
      'этот сеанс продолжает работать, все другие сеансы сотрудника завершаются',
  })
  async changePassword(
    @Body() body: ChangePasswordDto,
    @Staff() staff: StaffContext,
    @ClientAddress() address: string,
    @Headers('authorization') authorization: string | undefined,
  ) {
    const userId = staff.user.id;
    // A wrong current password is a guess at the account's password: counted as a failed sign-in is, and spared
    // as one is at an address the account signed in from lately (the office's NAT address whose budget colleagues'
    // or a guesser's failures spent refused the employee's own password change with 429).
    const giveBack = await this.failures.reserve(
      address,
      await this.users.passwordChangeSubject(userId, address),
    );
    const outcome = await this.users.changeOwnPassword(
      userId,
      body.currentPassword,
      body.newPassword,
      address,
      bearerToken(authorization),
    );
    const deny = (reason: string) =>
      this.audit.record({
        userId,
        action: 'change-password',
        entityType: 'user',
        entityId: userId,
        outcome: 'denied',
        details: { reason },
      });
    if (outcome.kind === 'locked') {
      await deny('locked-out');
      throw new DomainError(
        'rate-limited',
        'Слишком много неудачных попыток. Попробуйте позже',
        undefined,
        retryAfterOf(outcome.lockout),
      );
    }
    if (outcome.kind !== 'wrong-current') await giveBack();
    if (outcome.kind === 'wrong-current') {
      await deny('wrong-current-password');
      await this.recordLockouts(outcome.lockoutsStarted, userId);
      // 400, not 401: the session is fine, only the field is wrong.
      throw invalidInput('Текущий пароль указан неверно', {
        currentPassword: 'Текущий пароль указан неверно',
      });
    }
    if (outcome.kind === 'unchanged') {
      await deny('same-password');
      throw invalidInput('Новый пароль должен отличаться от текущего', {
        newPassword: 'Новый пароль должен отличаться от текущего',
      });
    }
    // The password never goes to the audit log; that it was temporary does.
    await this.audit.record({
      userId,
      action: 'change-password',
      entityType: 'user',
      entityId: userId,
      details: { wasTemporary: staff.user.mustChangePassword },
    });
  }

  @Post('auth/logout')
  @HttpCode(204)
  @AllowedWithTemporaryPassword()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Выйти: токены этого сеанса (и продлённые из него) больше не действуют' })
  async logout(@Staff() staff: StaffContext, @Headers('authorization') authorization: string | undefined) {
    await this.users.signOut(bearerToken(authorization));
    await this.audit.record({
      userId: staff.user.id,
      action: 'sign-out',
      entityType: 'user',
      entityId: staff.user.id,
    });
  }

  @Get('me')
  @AllowedWithTemporaryPassword()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Текущий сотрудник и его область видимости' })
  @ApiOkResponse({ type: MeDto })
  me(@Staff() staff: StaffContext) {
    return { ...this.present(staff.user), organisationIds: staff.scope.organisationIds };
  }

  /** Administrators see lock-outs in the audit log and at GET /api/v1/users/lockouts. */
  private async recordLockouts(lockouts: Lockout[], accountId: string | null): Promise<void> {
    for (const lockout of lockouts) {
      const byLogin = lockout.kind === 'login';
      await this.audit.record({
        userId: null,
        action: 'sign-in-lockout',
        entityType: byLogin ? 'user' : 'address',
        outcome: 'denied',
        // A login's lock-out names the account (or that there was none), not the login typed.
        ...(byLogin ? { entityId: accountId } : {}),
        details: {
          ...(byLogin ? { knownAccount: accountId !== null } : { address: lockout.subject }),
          failures: lockout.failures,
          lockedUntil: lockout.lockedUntil.toISOString(),
        },
      });
    }
  }

  private present(user: StaffContext['user']) {
    return { ...user, roleName: ROLE_NAME_RU[user.role] };
  }
}
