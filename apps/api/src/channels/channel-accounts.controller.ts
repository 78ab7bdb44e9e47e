import { Body, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { AuditLog, Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { ACCOUNT_SPECS, type AccountView, ChannelAccountsAdmin } from '@inbox/channels';
import { notFoundError } from '@inbox/common';
import { CONNECTOR_KINDS } from '@inbox/integrations/contract';
import { ChannelAccountDto, ChannelKindDto } from './channel-accounts.responses';
import { AdminAction, StaffController } from '../staff-controller';
import { staffAction } from '../staff-action';

class ChangeChannelAccountDto {
  @ApiPropertyOptional({ example: 'Администрация Советского района' })
  @IsOptional()
  @IsString({ message: 'Укажите название' })
  @MinLength(2, { message: 'Название — от 2 до 100 символов' })
  @MaxLength(100, { message: 'Название — от 2 до 100 символов' })
  name?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Организация, которую обслуживает',
  })
  @IsOptional()
  @IsUUID('all', { message: 'Выберите организацию' })
  organisationId?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Настройки без секретов' })
  @IsOptional()
  @IsObject({ message: 'Настройки — объект «ключ: значение»' })
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Секреты: только запись, хранятся зашифрованными; пустая строка удаляет',
  })
  @IsOptional()
  @IsObject({ message: 'Секреты — объект «ключ: значение»' })
  secrets?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Секреты из переменных окружения: { "groupToken": "VK_DISTRICT_TOKEN" }; пустая строка удаляет',
  })
  @IsOptional()
  @IsObject({ message: 'Переменные окружения секретов — объект «ключ: имя переменной»' })
  secretEnv?: Record<string, string>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'enabled: true или false' })
  enabled?: boolean;
}

class CreateChannelAccountDto extends ChangeChannelAccountDto {
  @ApiProperty({ enum: CONNECTOR_KINDS })
  @IsIn(CONNECTOR_KINDS, { message: `Неизвестный канал: один из ${CONNECTOR_KINDS.join(', ')}` })
  kind!: string;

  @ApiProperty({ example: 'Администрация Советского района' })
  @IsString({ message: 'Укажите название' })
  @MinLength(2, { message: 'Название — от 2 до 100 символов' })
  @MaxLength(100, { message: 'Название — от 2 до 100 символов' })
  declare name: string;
}

/** A malformed id names nothing: 404, like an unknown one. */
const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFoundError('Учётная запись канала не найдена') });

/** What the audit keeps of a change: which fields and which secrets changed, never a secret's value. */
function auditDetails(body: ChangeChannelAccountDto & { kind?: string }, account: AccountView) {
  return {
    kind: account.kind,
    name: account.name,
    enabled: account.enabled,
    settings: Object.keys(body.settings ?? {}),
    secrets: Object.keys(body.secrets ?? {}),
    secretEnv: body.secretEnv ?? {},
  };
}

/**
 * Channel accounts as data (issue 13): many mailboxes, communities, bots per channel, each with its own
 * organisation, cursor, health and back-off; an answer leaves through the account that received the item. The
 * administrator keeps them; secrets are write-only.
 */
@StaffController('api/v1/channel-accounts', 'channels', { forbidden: true })
export class ChannelAccountsController {
  constructor(
    private readonly accounts: ChannelAccountsAdmin,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Учётные записи каналов с их состоянием (администратор)' })
  @ApiOkResponse({ type: [ChannelAccountDto] })
  list() {
    return this.accounts.list();
  }

  @Get('kinds')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Что настраивается у учётной записи каждого канала (администратор)' })
  @ApiOkResponse({ type: [ChannelKindDto] })
  kinds() {
    return Object.values(ACCOUNT_SPECS);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Новая учётная запись канала (администратор)' })
  @ApiCreatedResponse({ type: ChannelAccountDto })
  async create(@Body() body: CreateChannelAccountDto, @Staff() staff: StaffContext) {
    const account = await this.accounts.create(body);
    await this.audit.record(
      staffAction(
        staff,
        'create-channel-account',
        'channel-account',
        account.id,
        auditDetails(body, account),
      ),
    );
    return account;
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Изменить учётную запись канала; секреты — только записать (администратор)' })
  @ApiOkResponse({ type: ChannelAccountDto })
  async update(
    @Param('id', uuid) id: string,
    @Body() body: ChangeChannelAccountDto,
    @Staff() staff: StaffContext,
  ) {
    const account = await this.accounts.update(id, body);
    await this.audit.record(
      staffAction(staff, 'update-channel-account', 'channel-account', id, auditDetails(body, account)),
    );
    return account;
  }

  @AdminAction(':id/disable', 'Отключить учётную запись канала (администратор)', ChannelAccountDto)
  async disable(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.setEnabled(id, false, staff);
  }

  @AdminAction(':id/enable', 'Включить учётную запись канала (администратор)', ChannelAccountDto)
  async enable(@Param('id', uuid) id: string, @Staff() staff: StaffContext) {
    return this.setEnabled(id, true, staff);
  }

  private async setEnabled(id: string, enabled: boolean, staff: StaffContext) {
    const account = await this.accounts.update(id, { enabled });
    await this.audit.record(
      staffAction(
        staff,
        enabled ? 'enable-channel-account' : 'disable-channel-account',
        'channel-account',
        id,
        { kind: account.kind, name: account.name },
      ),
    );
    return account;
  }
}
