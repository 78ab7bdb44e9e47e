import { ApiProperty } from '@nestjs/swagger';

/** Response shapes of /api/v1/channel-quarantine (OpenAPI → apps/web types). */
export class QuarantineEntryDto {
  @ApiProperty({
    enum: ['input', 'item'],
    description:
      'input — канал прислал то, что не удалось прочитать; item — прочитано, но не зарегистрировано',
  })
  source!: 'input' | 'item';
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'vk' }) channel!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Учётная запись канала, через которую пришло' })
  accountName!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Идентификатор в канале, если его удалось прочитать',
  })
  externalId!: string | null;
  @ApiProperty({ description: 'Что случилось, для сотрудника' }) summary!: string;
  @ApiProperty({ description: 'Причина, как её назвал канал или система (техническая)' }) reason!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
}

/** One entry with what the channel sent: read one at a time, audited. */
export class QuarantineEntryWithInputDto extends QuarantineEntryDto {
  @ApiProperty({
    description: 'Присланное каналом целиком',
    type: 'object',
    additionalProperties: true,
    nullable: true,
  })
  raw!: unknown;
}

export class QuarantineListDto {
  @ApiProperty({
    type: [QuarantineEntryDto],
    description: 'Новые сначала; без присланного (оно — по одному)',
  })
  items!: QuarantineEntryDto[];
}
