import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { DomainError } from '@inbox/common';
import { AuditLog, PublicEndpoint, ROLE_NAME_RU, Staff, type StaffContext, StaffUsers } from '@inbox/access';
import { MeDto, SessionDto } from './auth.responses';

class LoginDto {
  @ApiProperty({ example: 'operator' })
  @IsString({ message: 'Укажите логин' })
  @MinLength(1, { message: 'Укажите логин' })
  @MaxLength(100, { message: 'Логин не длиннее 100 символов' })
  login!: string;

  @ApiProperty({ example: 'demo' })
  @IsString({ message: 'Укажите пароль' })
  @MinLength(1, { message: 'Укажите пароль' })
  @MaxLength(200, { message: 'Пароль не длиннее 200 символов' })
  password!: string;
}

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(
    private readonly users: StaffUsers,
    private readonly audit: AuditLog,
  ) {}

  @Post('auth/login')
  @PublicEndpoint()
  @HttpCode(200)
  @ApiOperation({ summary: 'Вход сотрудника: выдаёт короткоживущий токен' })
  @ApiOkResponse({ type: SessionDto })
  async login(@Body() body: LoginDto, @Ip() address: string) {
    const login = body.login.slice(0, 100);
    const outcome = await this.users.signIn(body.login, body.password, address);
    if (outcome.kind === 'locked') {
      const retryAfter = Math.max(1, Math.ceil((outcome.lockout.lockedUntil.getTime() - Date.now()) / 1000));
      await this.audit.record({
        userId: null,
        action: 'sign-in',
        entityType: 'user',
        outcome: 'denied',
        details: { login, reason: 'locked-out', lockedBy: outcome.lockout.kind },
      });
      throw new DomainError(
        'rate-limited',
        'Слишком много неудачных попыток входа. Попробуйте позже',
        undefined,
        retryAfter,
      );
    }
    if (outcome.kind === 'refused') {
      await this.audit.record({
        userId: null,
        action: 'sign-in',
        entityType: 'user',
        outcome: 'denied',
        details: { login },
      });
      for (const lockout of outcome.lockoutsStarted) {
        // Administrators see lock-outs in the audit log and at GET /api/v1/users/lockouts.
        await this.audit.record({
          userId: null,
          action: 'sign-in-lockout',
          entityType: lockout.kind === 'login' ? 'user' : 'address',
          outcome: 'denied',
          details: {
            [lockout.kind]: lockout.subject,
            failures: lockout.failures,
            lockedUntil: lockout.lockedUntil.toISOString(),
          },
        });
      }
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

  @Post('auth/refresh')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Продлить сеанс: новый токен взамен действующего' })
  @ApiOkResponse({ type: SessionDto })
  async refresh(@Staff() staff: StaffContext) {
    const session = await this.users.issue(staff.user);
    return {
      accessToken: session.token,
      expiresAt: session.expiresAt.toISOString(),
      user: this.present(staff.user),
    };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Текущий сотрудник и его область видимости' })
  @ApiOkResponse({ type: MeDto })
  me(@Staff() staff: StaffContext) {
    return { ...this.present(staff.user), organisationIds: staff.scope.organisationIds };
  }

  private present(user: StaffContext['user']) {
    return { ...user, roleName: ROLE_NAME_RU[user.role] };
  }
}
