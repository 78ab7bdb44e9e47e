import { insertToken, shownTemplate, storedTemplate } from './placeholders';

describe('answer template substitutions in Russian', () => {
  const stored =
    'Уважаемый(ая) {{applicantName}}! По обращению № {{ registrationNumber }} от {{registrationDate}} отвечает {{organisation}} до {{answerDueDate}}.';

  it('shows each code by its Russian name, an unknown code as it is', () => {
    expect(shownTemplate(stored)).toBe(
      'Уважаемый(ая) [имя заявителя]! По обращению № [номер обращения] от [дата регистрации] отвечает [организация] до [срок ответа].',
    );
    expect(shownTemplate('Код {{unknownThing}} остаётся')).toBe('Код {{unknownThing}} остаётся');
  });

  it('stores the Russian names as codes again, whatever their letter case; other brackets stay', () => {
    expect(storedTemplate(shownTemplate(stored))).toBe(
      stored.replace('{{ registrationNumber }}', '{{registrationNumber}}'),
    );
    expect(storedTemplate('[Имя заявителя], см. [приложение 1]')).toBe(
      '{{applicantName}}, см. [приложение 1]',
    );
  });

  it('inserts a token at the cursor, a space before it after a word', () => {
    expect(insertToken('Уважаемая!', '[имя заявителя]', 9)).toEqual({
      text: 'Уважаемая [имя заявителя]!',
      cursor: 25,
    });
    expect(insertToken('', '[срок ответа]', 0)).toEqual({ text: '[срок ответа]', cursor: 13 });
    expect(insertToken('Срок: XX.', '[срок ответа]', 6, 8)).toEqual({
      text: 'Срок: [срок ответа].',
      cursor: 19,
    });
  });
});
