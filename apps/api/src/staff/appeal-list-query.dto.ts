import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDate,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AppealStatus } from '@inbox/appeals';
import { Channel } from '@inbox/integrations/contract';

const toList = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : Array.isArray(value) ? value : String(value).split(',').filter(Boolean);
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === true ? true : value === 'false' || value === false ? false : value;

export class AppealListQueryDto {
  @ApiPropertyOptional({ enum: AppealStatus, isArray: true, description: 'Через запятую' })
  @IsOptional()
  @Transform(toList)
  @IsEnum(AppealStatus, { each: true, message: 'Неизвестный статус' })
  status?: AppealStatus[];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'organisationId должен быть UUID' })
  organisationId?: string;

  @ApiPropertyOptional({ enum: Channel })
  @IsOptional()
  @IsEnum(Channel, { message: 'Неизвестный канал' })
  channel?: Channel;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'fastTrack: true или false' })
  fastTrack?: boolean;

  @ApiPropertyOptional({ description: 'Срок ответа раньше (ISO 8601)' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'dueBefore: дата в формате ISO 8601' })
  dueBefore?: Date;

  @ApiPropertyOptional({ description: 'Срок ответа не раньше (ISO 8601)' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'dueAfter: дата в формате ISO 8601' })
  dueAfter?: Date;

  @ApiPropertyOptional({ description: 'Полнотекстовый поиск (русский язык)' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'Поисковый запрос не длиннее 200 символов' })
  q?: string;

  @ApiPropertyOptional({ enum: ['registered', 'due'] })
  @IsOptional()
  @IsIn(['registered', 'due'], { message: 'sort: registered или due' })
  sort?: 'registered' | 'due';

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit: целое число' })
  @Min(1, { message: 'limit: от 1 до 200' })
  @Max(200, { message: 'limit: от 1 до 200' })
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  cursor?: string;
}
