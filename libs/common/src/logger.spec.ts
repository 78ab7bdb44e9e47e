import { redact, redactText } from './logger';

describe('redact', () => {
  it('hides personal data by key at any depth', () => {
    const out = redact({ item: { author: { surname: 'Иванов' }, channel: 'vk' }, email: 'a@b.ru' });
    expect(out).toEqual({ item: { author: '[redacted]', channel: 'vk' }, email: '[redacted]' });
  });

  it('masks e-mails and phones inside free text', () => {
    expect(redactText('write to ivanov@mail.ru or +7 (913) 123-45-67')).toBe('write to [email] or [phone]');
  });
});

describe('rowsOf', () => {
  it('unwraps TypeORM’s [rows, count] answer to an UPDATE and leaves plain rows alone', async () => {
    const { rowsOf } = await import('./pagination');
    expect(rowsOf([[{ id: 1 }], 1])).toEqual([{ id: 1 }]);
    expect(rowsOf([[], 0])).toEqual([]);
    expect(rowsOf([{ id: 1 }, { id: 2 }])).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
