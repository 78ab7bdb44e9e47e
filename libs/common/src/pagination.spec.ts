import { DomainError } from './domain-error';
import { decodeTimeIdCursor, encodeCursor } from './pagination';

describe('decodeTimeIdCursor', () => {
  const id = '3f2b8c4e-1d2a-4c5b-9e8f-0a1b2c3d4e5f';

  it('reads back what the list wrote', () => {
    expect(decodeTimeIdCursor(encodeCursor(['2026-01-01T00:00:00.000Z', id]))).toEqual({
      at: new Date('2026-01-01T00:00:00Z'),
      atText: '2026-01-01T00:00:00.000Z',
      id,
    });
  });

  it('keeps the microseconds the database gave, which a Date would drop', () => {
    expect(decodeTimeIdCursor(encodeCursor(['2026-01-01T00:00:00.123456Z', id]))).toMatchObject({
      at: new Date('2026-01-01T00:00:00.123Z'),
      atText: '2026-01-01T00:00:00.123456Z',
    });
  });

  it.each([
    ['an injection attempt in place of the id', encodeCursor(['2026-01-01T00:00:00Z', "' OR 1=1--"])],
    ['an impossible date', encodeCursor(['2026-13-45T00:00:00Z', id])],
    ['a year Postgres cannot hold', encodeCursor(['-271821-04-20T00:00:00Z', id])],
    ['a date with SQL after it', encodeCursor(["2026-01-01T00:00:00Z'::timestamptz--", id])],
    ['a date without its zone', encodeCursor(['2026-01-01T00:00:00', id])],
    ['a number in place of the date', encodeCursor([0, id])],
    ['a third element', encodeCursor(['2026-01-01T00:00:00Z', id, 1])],
    ['not JSON', Buffer.from('{{').toString('base64url')],
    ['not base64 at all', '%%%'],
  ])('refuses %s as invalid input naming the cursor', (_, cursor) => {
    let error: unknown;
    try {
      decodeTimeIdCursor(cursor);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'invalid-input', errors: { cursor: 'Некорректный курсор' } });
  });
});
