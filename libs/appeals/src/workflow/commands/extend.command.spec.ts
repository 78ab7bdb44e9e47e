import { extensionNoticeRu } from './extend.command';

describe('extensionNoticeRu', () => {
  it('tells the citizen the new date and the reason, without a doubled full stop', () => {
    expect(
      extensionNoticeRu('2026-000123', '21.01.2027', 'Запрошены документы в администрации района.'),
    ).toBe(
      'Срок рассмотрения Вашего обращения № 2026-000123 продлён до 21.01.2027. Причина: Запрошены документы в ' +
        'администрации района.',
    );
    expect(extensionNoticeRu('2026-000123', '21.01.2027', 'Нужна выездная проверка')).toMatch(
      /Причина: Нужна выездная проверка\.$/,
    );
  });
});
