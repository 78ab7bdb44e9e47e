import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { stacked } from '../stacked-decorators';

/**
 * A password being set: the one rule (8 to 200 characters) whether the administrator sets a temporary one or a staff
 * member chooses their own; `missing` is what to say when there is none.
 */
export const NewPassword = (description: string, missing = 'Укажите пароль') =>
  stacked(
    ApiProperty({ description }),
    IsString({ message: missing }),
    MinLength(8, { message: 'Пароль — не короче 8 символов' }),
    MaxLength(200, { message: 'Пароль — не длиннее 200 символов' }),
  );
