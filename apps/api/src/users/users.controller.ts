import { Body, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import {
  IsBoolean,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { notFoundError } from '@inbox/common';
import {
  AuditLog,
  refusalOnRecord,
  Role,
  ROLE_NAME_RU,
  Roles,
  Staff,
  type StaffContext,
  StaffUsers,
} from '@inbox/access';
import { ListedStaffUserDto, PasswordResetDto, SignInLockoutDto, StaffUserDto } from '../auth/auth.responses';
import { AssigneeDto } from '../staff/appeal.responses';
import { AdminAction, StaffController } from '../staff-controller';
import { staffAction } from '../staff-action';
import { stacked } from '../stacked-decorators';
import { NewPassword } from '../auth/new-password';
import { PasswordResets } from './password-resets.service';

/** The fields of a staff account, as the administrator's forms send them. */
const FullName = () =>
  stacked(
    ApiProperty({ example: 'Иванова Елена Андреевна' }),
    IsString({ message: 'Укажите ФИО' }),
    MinLength(3, { message: 'Укажите ФИО' }),
    MaxLength(200, { message: 'ФИО — не длиннее 200 символов' }),
  );
const OrganisationId = () =>
  stacked(ApiProperty({ format: 'uuid' }), IsUUID('all', { message: 'Выберите организацию' }));
const SeesSubordinates = () =>
  stacked(
    ApiPropertyOptional({ description: 'Видит обращения подведомственных организаций' }),
    IsOptional(),
    IsBoolean({ message: 'seesSubordinates: true или false' }),
  );

const WorkEmail = () =>
  stacked(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      example: 'ivanova@region.test',
      description: 'Рабочая почта (пусто — нет): на неё приходит одноразовый код входа после сброса пароля',
    }),
    IsOptional(),
    IsString({ message: 'Рабочая почта — адрес вида name@example.ru' }),
    MaxLength(254, { message: 'Рабочая почта — не длиннее 254 символов' }),
    Matches(/^\s*(?:[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+)?\s*$/, {
      message: 'Рабочая почта — адрес вида name@example.ru',
    }),
  );

/** A work e-mail as stored: trimmed, null for none; undefined (not sent): kept as it is. */
const workEmail = (email: string | null | undefined) =>
  email === undefined ? undefined : email?.trim() || null;

/** What an administrator sets on an account: when creating it (with the login and a password) and later. */
class UpdateUserDto {
  @FullName()
  fullName!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  @IsEnum(Role, { message: 'Неизвестная роль' })
  role!: Role;

  @OrganisationId()
  organisationId!: string;

  @SeesSubordinates()
  seesSubordinates?: boolean;

  @WorkEmail()
  email?: string | null;
}

class CreateUserDto extends UpdateUserDto {
  @ApiProperty({ example: 'ivanova' })
  @IsString({ message: 'Укажите логин' })
  @Matches(/^[a-z0-9._-]{2,60}$/i, { message: 'Логин — от 2 до 60 латинских букв, цифр, точек, дефисов' })
  login!: string;

  @NewPassword('Временный пароль: сотрудник сменит его при первом входе')
  password!: string;
}

/** A malformed id names nobody: 404, like an unknown one. */
const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFoundError('Сотрудник не найден') });

/** Staff accounts: the administrator keeps them; anyone may look up whom to assign an appeal to. */
@StaffController('api/v1/users', 'users')
export class UsersController {
  constructor(
    private readonly users: StaffUsers,
    private readonly audit: AuditLog,
    private readonly resets: PasswordResets,
  ) {}

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Сотрудники и их роли (администратор)' })
  @ApiOkResponse({ type: [ListedStaffUserDto] })
  async list() {
    return (await this.users.list()).map((u) => ({
      ...u,
      roleName: ROLE_NAME_RU[u.role],
      enrolmentUntil: u.enrolmentUntil?.toISOString() ?? null,
    }));
  }

  @Get('lockouts')
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Блокировки входа после неудачных попыток: учётные записи и адреса (администратор)',
  })
  @ApiOkResponse({ type: [SignInLockoutDto] })
  async lockouts() {
    return (await this.users.activeLockouts()).map((l) => ({
      kind: l.kind,
      subject: l.kind === 'address' ? l.subject : l.login,
      accountId: l.accountId,
      failures: l.failures,
      lockedUntil: l.lockedUntil.toISOString(),
    }));
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Снять блокировку входа с учётной записи (администратор)' })
  async unlock(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    const user = await this.users.byId(id);
    if (!user) throw notFoundError('Сотрудник не найден');
    const lifted = await this.users.unlock(user.id);
    await this.audit.record(staffAction(staff, 'unlock-user', 'user', id, { lifted }));
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Новый сотрудник (администратор)' })
  @ApiCreatedResponse({ type: StaffUserDto })
  async create(@Body() body: CreateUserDto, @Staff() staff: StaffContext) {
    // The administrator chose the password, so it is temporary: the new colleague replaces it at first sign-in.
    const user = await this.users.create({ ...body, email: workEmail(body.email), temporaryPassword: true });
    await this.audit.record(
      staffAction(staff, 'create-user', 'user', user.id, {
        role: user.role,
        organisationId: user.organisationId,
        temporaryPassword: true,
      }),
    );
    return { ...user, roleName: ROLE_NAME_RU[user.role] };
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Изменить сотрудника: ФИО, роль, организация (администратор)' })
  @ApiOkResponse({ type: StaffUserDto })
  async update(@Param('id', uuid) id: string, @Body() body: UpdateUserDto, @Staff() staff: StaffContext) {
    const user = await this.users.update(staff.user.id, id, { ...body, email: workEmail(body.email) });
    await this.audit.record(
      staffAction(staff, 'update-user', 'user', id, { role: user.role, organisationId: user.organisationId }),
    );
    return { ...user, roleName: ROLE_NAME_RU[user.role] };
  }

  @AdminAction(
    ':id/deactivate',
    'Отключить сотрудника: вход и действующие сеансы перестают работать (администратор)',
    StaffUserDto,
  )
  async deactivate(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.setActive(id, false, staff);
  }

  @AdminAction(':id/activate', 'Включить отключённого сотрудника (администратор)', StaffUserDto)
  async activate(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.setActive(id, true, staff);
  }

  @Post(':id/password')
  @HttpCode(200)
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'Сбросить пароль сотрудника (администратор): пароль перестаёт действовать, все сеансы сотрудника завершаются, ' +
      'одноразовый код входа (24 ч) уходит на рабочую почту; без неё код показывается администратору, и это ' +
      'записывается в журнал. Повторный сброс выдаёт новый код взамен прежнего',
  })
  @ApiOkResponse({ type: PasswordResetDto })
  async resetPassword(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    // The audit entries (and, when shown, who saw the code) are written in the reset's own transaction.
    return this.resets.reset(staff, id);
  }

  @Post(':id/enrolment/cancel')
  @HttpCode(204)
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Отменить одноразовый код входа сотрудника (администратор): пароль остаётся сброшенным',
  })
  async cancelEnrolment(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    const cancelled = await this.users.cancelEnrolment(id);
    await this.audit.record(staffAction(staff, 'cancel-enrolment-code', 'user', id, { cancelled }));
  }

  private async setActive(id: string, active: boolean, staff: StaffContext) {
    const user = await this.users.setActive(staff.user.id, id, active);
    await this.audit.record(staffAction(staff, active ? 'activate-user' : 'deactivate-user', 'user', id));
    return { ...user, roleName: ROLE_NAME_RU[user.role] };
  }

  @Get('assignees')
  @ApiOperation({
    summary: 'Кому можно назначить обращение: сотрудники организации (в моей области видимости)',
  })
  @ApiOkResponse({ type: [AssigneeDto] })
  async assignees(@Staff() staff: StaffContext, @Query('organisationId') organisationId?: string) {
    const orgId = organisationId && /^[0-9a-f-]{36}$/i.test(organisationId) ? organisationId : undefined;
    // Another organisation's staff, outside the caller's scope: a refusal of scope, on record.
    return refusalOnRecord(
      this.audit,
      staffAction(staff, 'list-assignees', 'organisation', orgId ?? null),
      () => this.users.assignees(staff.scope, orgId ?? staff.user.organisationId),
    );
  }
}
