import { redact, redactStrings, redactText } from './logger';

describe('redact', () => {
  it('hides personal data by key at any depth', () => {
    const out = redact({ item: { author: { surname: 'Иванов' }, channel: 'vk' }, email: 'a@b.ru' });
    expect(out).toEqual({ item: { author: '[redacted]', channel: 'vk' }, email: '[redacted]' });
  });

  it('masks e-mails and phones inside free text', () => {
    expect(redactText('write to ivanov@mail.ru or +7 (913) 123-45-67')).toBe('write to [email] or [phone]');
    // СНИЛС as ПОС and people write it (a space or a hyphen before the check digits); a bare 11-digit number is not one.
    expect(redactText('СНИЛС 123-456-789 64, 812-345-678-90; № 12345678964')).toBe(
      'СНИЛС [snils], [snils]; № 12345678964',
    );
  });

  // No clock read: the inputs are sized so that linear time is a fraction of a second and the quadratic time of
  // before is minutes, past the test's timeout.
  it('masks in linear time: a long word with no @ (an admin opening an e-mail appeal of one) blocks nothing', () => {
    // Before: every start of a 50 000-letter word scanned to its end — 8 s of a frozen api here (100 000: 40 s).
    const word = 'a'.repeat(200_000);
    const masked = redactText(`${word} ${word}@mail.ru`);
    expect([masked.length, masked.endsWith('a[email]'), masked.includes('@')]).toEqual([
      2 * 200_000 + 1 - 64 + '[email]'.length,
      true,
      false,
    ]);
    expect(redactText('x@y.ru+z@w.ru, first.last+tag@mail.example.ru')).toBe('[email][email], [email]');
  }, 30_000);

  it('keeps the host of a connection URL, but not an e-mail whose domain only starts with digits', () => {
    expect(redactText('database postgres://postgres@127.0.0.1:5432/inbox')).toBe(
      'database postgres://postgres@127.0.0.1:5432/inbox',
    );
    expect(redactText('ivanov@1.ru, petrov@2gis.ru, sidorov@10.0.0.mail.ru')).toBe(
      '[email], [email], [email]',
    );
    expect(redactText(`x@${'1.'.repeat(400_000)}`)).toBe('[email]');
  }, 30_000);

  it('masks them in every string of a value, keeping its shape', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(
      redactStrings({
        a: ['звоните 8 913 123-45-67', 'СНИЛС 123-456-789 64'],
        b: { c: 'x@y.ru', n: 1, at, none: null },
      }),
    ).toEqual({
      a: ['звоните [телефон скрыт]', 'СНИЛС [СНИЛС скрыт]'],
      b: { c: '[e-mail скрыт]', n: 1, at, none: null },
    });
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

describe('log level', () => {
  it('writes only at or above the level set from the configuration', async () => {
    const { JsonLogger, setLogLevel } = await import('./logger');
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const log = new JsonLogger('spec');
      setLogLevel('warn');
      log.info('not written');
      log.warn('written');
      setLogLevel('debug');
      log.debug('written too');
    } finally {
      write.mockRestore();
      setLogLevel('info');
    }
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['written', 'written too']);
  });
});
