import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DayHoursDto {
  @ApiProperty({ example: '09:00' }) start!: string;
  @ApiProperty({ example: '18:00' }) end!: string;
}

export class ContactsDto {
  @ApiPropertyOptional() phone?: string;
  @ApiPropertyOptional() email?: string;
  @ApiPropertyOptional() address?: string;
  @ApiPropertyOptional() website?: string;
}

export class RequisitesDto {
  @ApiPropertyOptional({ description: 'ИНН' }) inn?: string;
  @ApiPropertyOptional({ description: 'КПП' }) kpp?: string;
  @ApiPropertyOptional({ description: 'ОГРН' }) ogrn?: string;
  @ApiPropertyOptional({ description: 'ОКТМО' }) oktmo?: string;
  @ApiPropertyOptional({ description: 'Адрес' }) address?: string;
  @ApiPropertyOptional({ description: 'Откуда получены (канал)', example: 'pos' }) source?: string;
  @ApiPropertyOptional({ format: 'date-time' }) updatedAt?: string;
}

export class OrganisationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'mintrans' }) code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() shortName!: string;
  @ApiProperty({ enum: ['region', 'management-centre', 'department', 'subordinate', 'municipality'] })
  kind!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentId!: string | null;
  @ApiProperty({ example: 'Asia/Novosibirsk' }) timeZone!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/DayHoursDto' },
    description: 'По дням недели ISO (1 — понедельник … 7 — воскресенье); отсутствующий день — выходной',
  })
  workingHours!: Record<string, DayHoursDto | undefined>;
  @ApiProperty({ type: ContactsDto }) contacts!: ContactsDto;
  @ApiProperty({ type: [String], description: 'Коды ОКТМО территории (для муниципалитетов)' })
  territoryCodes!: string[];
  @ApiProperty({
    enum: ['each', 'combined'],
    description:
      'Ответы по обращениям, за которые отвечает организация: each — каждый ответ отдельно; combined — один общий',
  })
  answerDelivery!: 'each' | 'combined';
  @ApiProperty({ type: RequisitesDto, description: 'Реквизиты, как их прислал канал (ПОС)' })
  requisites!: RequisitesDto;
}

export class OrganisationTreeNodeDto extends OrganisationDto {
  @ApiProperty({ type: () => [OrganisationTreeNodeDto] }) children!: OrganisationTreeNodeDto[];
}

export class OrganisationSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() shortName!: string;
  @ApiProperty() kind!: string;
}

export class OrganisationCardDto extends OrganisationDto {
  @ApiProperty({ type: OrganisationSummaryDto, nullable: true, description: 'Вышестоящая организация' })
  superior!: OrganisationSummaryDto | null;
  @ApiProperty({ type: [OrganisationSummaryDto], description: 'Непосредственно подчинённые' })
  children!: OrganisationSummaryDto[];
  @ApiProperty({ type: [String], format: 'uuid', description: 'Все подчинённые, на любом уровне' })
  subordinateIds!: string[];
}
