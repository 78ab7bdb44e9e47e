import { ApiProperty } from '@nestjs/swagger';
import { Role } from '@inbox/access';

/** A staff account as the API shows it (never the password hash). */
export class StaffUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ivanova' }) login!: string;
  @ApiProperty({ example: 'Иванова Елена Андреевна' }) fullName!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' }) role!: Role;
  @ApiProperty({ example: 'Оператор 1-й линии (ЦУР/ЕКЦ)' }) roleName!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiProperty({ example: 'department' }) organisationKind!: string;
  @ApiProperty({ description: 'Видит обращения подведомственных организаций' }) seesSubordinates!: boolean;
  @ApiProperty() active!: boolean;
  @ApiProperty({
    description:
      'Пароль задан администратором и временный: до его смены (POST /api/v1/auth/password) другие действия недоступны',
  })
  mustChangePassword!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'ivanova@region.test',
    description: 'Рабочая почта: на неё приходит одноразовый код входа после сброса пароля',
  })
  email!: string | null;
}

/** An account in the administrator's list: with the enrolment code a reset left open, if any. */
export class ListedStaffUserDto extends StaffUserDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Пароль сброшен: сотрудник ожидает входа по одноразовому коду до этого момента (в прошлом — код истёк)',
  })
  enrolmentUntil!: string | null;
  @ApiProperty({
    enum: ['email', 'shown', 'email-failed'],
    nullable: true,
    description: 'Как выдан код: письмом на рабочую почту, лично администратором, письмо не отправлено',
  })
  enrolmentDelivery!: 'email' | 'shown' | 'email-failed' | null;
}

/** What an administrator's password reset came to. */
export class PasswordResetDto {
  @ApiProperty({ enum: ['email', 'shown', 'email-failed'] }) delivery!: 'email' | 'shown' | 'email-failed';
  @ApiProperty({ format: 'date-time', description: 'До какого момента действует код' }) expiresAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Куда отправлен код' }) email!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Код — только когда его передаёт администратор лично (нет рабочей почты); показ записан в журнал',
  })
  code!: string | null;
  @ApiProperty({ description: 'Что произошло, для экрана администратора' }) message!: string;
}

export class MeDto extends StaffUserDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    nullable: true,
    description: 'Организации в области видимости; null — вся область',
  })
  organisationIds!: string[] | null;
}

export class SessionDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ type: StaffUserDto }) user!: StaffUserDto;
}

/** A sign-in lock-out running now: of an account (by login) or of an address. */
export class SignInLockoutDto {
  @ApiProperty({ enum: ['login', 'address'] }) kind!: 'login' | 'address';
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'IP-адрес, или логин учётной записи; null — логин, не принадлежащий ни одной учётной записи (он не хранится)',
  })
  subject!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Учётная запись (блокировка по логину)',
  })
  accountId!: string | null;
  @ApiProperty({ description: 'Неудачных попыток подряд' }) failures!: number;
  @ApiProperty({ format: 'date-time' }) lockedUntil!: string;
}
