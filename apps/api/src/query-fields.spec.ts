import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  OptionalBool,
  OptionalDate,
  OptionalId,
  OptionalInt,
  OptionalText,
  PageLimit,
  RequiredText,
  toList,
} from './query-fields';

class Query {
  @OptionalId('темы') topicId?: string;
  @OptionalText(5) note?: string;
  @OptionalText(5, { tooLong: 'Заметка — не длиннее 5 символов' }) subject?: string;
  @OptionalBool() archived?: boolean;
  @OptionalDate('С даты') from?: Date;
  @OptionalDate('Новый срок', 'дата и время') until?: Date;
  @OptionalInt({ min: 1, max: 30 }) days?: number;
  @OptionalInt({ min: 0 }) offset?: number;
  @PageLimit() limit?: number;
  @Transform(toList) kinds?: string[];
}

/** The query as the api's ValidationPipe takes it (transform on), and the first message of each bad field. */
function parse(query: Record<string, unknown>): { value: Query; errors: Record<string, string> } {
  const value = plainToInstance(Query, query);
  const errors = Object.fromEntries(
    validateSync(value).map((e) => [e.property, Object.values(e.constraints ?? {})[0]]),
  );
  return { value, errors };
}

class Note {
  @RequiredText({ min: 3, max: 10, missing: 'Напишите заметку' }) text!: string;
}

describe('query fields', () => {
  it('reads text as the values they stand for', () => {
    const { value, errors } = parse({
      topicId: '0b6f3c1e-2a4d-4c8e-9f10-1a2b3c4d5e6f',
      archived: 'false',
      from: '2026-01-31',
      days: '30',
      offset: '0',
      limit: '200',
      kinds: ' faq, ,template ',
    });
    expect(errors).toEqual({});
    expect(value).toEqual({
      topicId: '0b6f3c1e-2a4d-4c8e-9f10-1a2b3c4d5e6f',
      archived: false,
      from: new Date('2026-01-31'),
      days: 30,
      offset: 0,
      limit: 200,
      kinds: ['faq', 'template'],
    });
    expect(parse({ kinds: ['a', 'b'] }).value.kinds).toEqual(['a', 'b']);
    expect(parse({}).errors).toEqual({});
  });

  it('refuses each bad value with a Russian message naming the field', () => {
    expect(
      parse({
        topicId: 'тема',
        archived: 'yes',
        from: 'вчера',
        until: 'x',
        days: '31',
        offset: '-1',
        limit: '1.5',
      }).errors,
    ).toEqual({
      topicId: 'topicId: UUID темы',
      archived: 'archived: true или false',
      from: 'from: дата в формате ISO 8601',
      until: 'until: дата и время в формате ISO 8601',
      days: 'days: от 1 до 30',
      offset: 'offset: не меньше 0',
      limit: 'limit: целое число',
    });
    expect(parse({ note: 'шесть!', subject: 'шесть!' }).errors).toEqual({
      note: 'note: не длиннее 5 символов',
      subject: 'Заметка — не длиннее 5 символов',
    });
    const note = (text: unknown) =>
      validateSync(plainToInstance(Note, { text })).map((e) => Object.values(e.constraints ?? {})[0]);
    expect([note(undefined), note('аб'), note('абв'), note('слишком длинная')]).toEqual([
      ['Напишите заметку'],
      ['Напишите заметку'],
      [],
      ['text: не длиннее 10 символов'],
    ]);
    expect(parse({ days: '0', limit: '201' }).errors).toEqual({
      days: 'days: от 1 до 30',
      limit: 'limit: от 1 до 200',
    });
  });
});
