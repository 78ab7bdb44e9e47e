import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  MinLength,
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

  it('says a field never sent is missing, not that it is too long', async () => {
    class Person {
      @IsString({ message: 'Укажите ФИО' })
      @MinLength(3, { message: 'Укажите ФИО' })
      @MaxLength(200, { message: 'ФИО — не длиннее 200 символов' })
      fullName!: string;
    }
    const said = async (value: object) => validationErrors(await validate(plainToInstance(Person, value)));
    expect(await said({})).toEqual({ fullName: 'Укажите ФИО' });
    expect(await said({ fullName: null })).toEqual({ fullName: 'Укажите ФИО' });
    expect(await said({ fullName: 'Я'.repeat(201) })).toEqual({ fullName: 'ФИО — не длиннее 200 символов' });
  });
});
