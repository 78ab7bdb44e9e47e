import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { stacked } from './stacked-decorators';

/** A list's page size in the query string: a whole number from 1 to 200, 50 when absent. */
export const PageLimit = (): PropertyDecorator =>
  stacked(
    ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: 'limit: целое число' }),
    Min(1, { message: 'limit: от 1 до 200' }),
    Max(200, { message: 'limit: от 1 до 200' }),
  );

/** Where a list's next page starts: the cursor the previous page returned. */
export const PageCursor = (): PropertyDecorator => stacked(ApiPropertyOptional(), IsOptional(), IsString());
