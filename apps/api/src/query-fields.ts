import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDate,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { stacked } from './stacked-decorators';

/**
 * Optional fields as query strings and multipart forms carry them (text), each a validated value with the api's
 * Russian message naming the field: one definition for the ids, texts, lists, flags, dates and numbers every DTO takes.
 */

/** 'true' / 'false' as a boolean; anything else is left for IsBoolean to refuse. */
export const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === true ? true : value === 'false' || value === false ? false : value;

/** 'a, b' (or the parameter repeated) as ['a', 'b']; empty items are dropped. */
export const toList = ({ value }: { value: unknown }) =>
  value === undefined || Array.isArray(value)
    ? value
    : String(value)
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);

/** Decorators made for the property they stand on: their messages start with its name. */
const named =
  (build: (name: string) => PropertyDecorator[]): PropertyDecorator =>
  (target, key) =>
    stacked(...build(String(key)))(target, key);

/** The OpenAPI options given (a key set to undefined would still stand in the document's metadata). */
const defined = <T extends object>(options: T): Partial<T> =>
  Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;

/** An optional flag: true or false. */
export const OptionalBool = (description?: string): PropertyDecorator =>
  named((name) => [
    ApiPropertyOptional(defined({ description })),
    IsOptional(),
    Transform(toBool),
    IsBoolean({ message: `${name}: true или false` }),
  ]);

/** An optional text of at most `max` characters; `tooLong` says so in the form's own words where it has them. */
export const OptionalText = (
  max: number,
  options: { description?: string; tooLong?: string } = {},
): PropertyDecorator =>
  named((name) => [
    ApiPropertyOptional(defined({ description: options.description })),
    IsOptional(),
    IsString({ message: `${name}: текст` }),
    MaxLength(max, { message: options.tooLong ?? `${name}: не длиннее ${max} символов` }),
  ]);

/** A text the form must have, `min` to `max` characters: `missing` when it is absent or too short. */
export const RequiredText = (text: {
  min: number;
  max: number;
  missing: string;
  tooLong?: string;
  description?: string;
}): PropertyDecorator =>
  named((name) => [
    ApiProperty(defined({ description: text.description })),
    // The last stands first in the errors the api reports: an absent text is asked for, not called too long.
    MaxLength(text.max, { message: text.tooLong ?? `${name}: не длиннее ${text.max} символов` }),
    MinLength(text.min, { message: text.missing }),
    IsString({ message: text.missing }),
  ]);

/** An optional id (UUID) of something: `of` names it in the genitive, as the message says it ('UUID темы'). */
export const OptionalId = (of: string, description?: string): PropertyDecorator =>
  named((name) => [
    ApiPropertyOptional(defined({ description })),
    IsOptional(),
    IsUUID('all', { message: `${name}: UUID ${of}` }),
  ]);

/** An optional date (and time) in ISO 8601. */
export const OptionalDate = (description: string, what = 'дата'): PropertyDecorator =>
  named((name) => [
    ApiPropertyOptional({ description }),
    IsOptional(),
    Type(() => Date),
    IsDate({ message: `${name}: ${what} в формате ISO 8601` }),
  ]);

/** An optional whole number from `min` (to `max`, where there is one). */
export const OptionalInt = (range: {
  min: number;
  max?: number;
  default?: number;
  description?: string;
}): PropertyDecorator =>
  named((name) => {
    const { min, max } = range;
    const bounds = max === undefined ? `не меньше ${min}` : `от ${min} до ${max}`;
    return [
      ApiPropertyOptional(
        defined({ minimum: min, maximum: max, default: range.default, description: range.description }),
      ),
      IsOptional(),
      Type(() => Number),
      IsInt({ message: `${name}: целое число` }),
      Min(min, { message: `${name}: ${bounds}` }),
      ...(max === undefined ? [] : [Max(max, { message: `${name}: ${bounds}` })]),
    ];
  });

/** A list's page size: a whole number from 1 to 200, 50 when absent. */
export const PageLimit = (): PropertyDecorator => OptionalInt({ min: 1, max: 200, default: 50 });

/** Where a list's next page starts: the cursor the previous page returned. */
export const PageCursor = (): PropertyDecorator => stacked(ApiPropertyOptional(), IsOptional(), IsString());
