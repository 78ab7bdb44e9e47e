import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  ValidateNested,
  validate,
} from 'class-validator';
import { validationErrors } from './validation-messages';

class Applicant {
  @IsString()
  @MaxLength(100)
  surname!: string;
}

class Form {
  @ValidateNested()
  @Type(() => Applicant)
  applicant!: Applicant;

  @IsIn(['phone', 'visit'])
  medium!: string;

  @IsOptional()
  @IsUUID()
  topicId?: string;

  @IsOptional()
  @IsInt()
  @Max(50)
  limit?: number;

  @IsString({ message: 'Запишите содержание обращения' })
  text!: string;
}

describe('validation errors in Russian', () => {
  it("says each of class-validator's refusals in Russian, keeping a DTO's own words", async () => {
    const form = plainToInstance(Form, {
      applicant: { surname: 'И'.repeat(101) },
      medium: 'pigeon',
      topicId: 'x',
      limit: 51,
      text: 7,
      status: 'closed',
    });
    const errors = await validate(form, { whitelist: true, forbidNonWhitelisted: true });
    expect(validationErrors(errors)).toEqual({
      'applicant.surname': 'Не длиннее 100 символов',
      medium: 'Недопустимое значение',
      topicId: 'Некорректный идентификатор',
      limit: 'Не больше 50',
      text: 'Запишите содержание обращения',
      status: 'Такого поля нет',
    });
  });
});
