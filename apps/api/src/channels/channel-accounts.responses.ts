import { ApiProperty, OmitType } from '@nestjs/swagger';
import { CONNECTOR_KINDS } from '@inbox/integrations/contract';
import { ChannelAccountHealthDto } from '../health/health.responses';

/** Response shapes of /api/v1/channel-accounts (OpenAPI → apps/web types). Secrets are never in them. */
export class ChannelSecretDto {
  @ApiProperty({ example: 'groupToken' }) key!: string;
  @ApiProperty({ example: 'Ключ доступа сообщества' }) label!: string;
  @ApiProperty() required!: boolean;
  @ApiProperty({ description: 'Задан ли секрет (значение не показывается никогда)' }) set!: boolean;
  @ApiProperty({
    enum: ['store', 'env'],
    nullable: true,
    description: 'store — хранится зашифрованным; env — берётся из переменной окружения',
  })
  from!: 'store' | 'env' | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Имя переменной окружения, если секрет берётся из неё',
  })
  envName!: string | null;
}

/** An account with its health as /health shows it (feed actions aside), its settings and its secrets' state. */
export class ChannelAccountDto extends OmitType(ChannelAccountHealthDto, [
  'pendingActions',
  'failedActions',
]) {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CONNECTOR_KINDS }) kind!: string;
  @ApiProperty({ example: 'ВКонтакте' }) kindLabel!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId!: string | null;
  @ApiProperty({
    enum: ['env', 'admin'],
    description: 'env — задана переменными окружения (меняется там); admin — добавлена администратором',
  })
  source!: 'env' | 'admin';
  @ApiProperty({ description: 'Через неё отвечают на то, что пришло не через известную учётную запись' })
  isDefault!: boolean;
  @ApiProperty({ description: 'Работает в этом процессе' }) working!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Почему не работает' }) offReason!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Настройки без секретов' })
  settings!: Record<string, unknown>;
  @ApiProperty({ type: [ChannelSecretDto] }) secrets!: ChannelSecretDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Куда канал присылает уведомления (push-каналы)',
  })
  webhookPath!: string | null;
}

export class ChannelSettingFieldDto {
  @ApiProperty() key!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: ['string', 'url', 'email', 'number', 'boolean', 'string[]', 'record'] }) type!: string;
  @ApiProperty({ required: false }) required?: boolean;
  @ApiProperty({ required: false, description: 'Значение по умолчанию' }) default?: unknown;
  @ApiProperty({ type: [String], required: false }) options?: string[];
}

export class ChannelSecretFieldDto {
  @ApiProperty() key!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ required: false }) required?: boolean;
}

export class ChannelFieldGroupDto {
  @ApiProperty({ example: 'Стена группы' }) label!: string;
  @ApiProperty({ type: [String], example: ['groupId', 'applicationKey'] }) settings!: string[];
  @ApiProperty({ type: [String], example: ['applicationSecretKey'] }) secrets!: string[];
}

export class ChannelKindDto {
  @ApiProperty({ enum: CONNECTOR_KINDS }) kind!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ type: [ChannelSettingFieldDto] }) settings!: ChannelSettingFieldDto[];
  @ApiProperty({ type: [ChannelSecretFieldDto] }) secrets!: ChannelSecretFieldDto[];
  @ApiProperty({
    type: [ChannelFieldGroupDto],
    required: false,
    description: 'Поля, нужные только вместе: не задано ни одно или заданы все',
  })
  together?: ChannelFieldGroupDto[];
}
