import { answerMessageText } from './combined-answer';

describe('answerMessageText', () => {
  it('sends a single answer exactly as written', () => {
    expect(answerMessageText([{ organisation: 'Министерство ЖКХ', text: 'Вода подана.\n' }])).toBe(
      'Вода подана.\n',
    );
  });

  it('joins several answers, each under its organisation, in the order given', () => {
    const text = answerMessageText([
      { organisation: 'Министерство жилищно-коммунального хозяйства', text: '  Горячая вода подана.  ' },
      { organisation: 'Министерство транспорта', text: 'Яма на дороге заделана.' },
    ]);
    expect(text).toBe(
      'По вашему обращению ответили организации (2).\n\n' +
        'Министерство жилищно-коммунального хозяйства:\nГорячая вода подана.\n\n' +
        'Министерство транспорта:\nЯма на дороге заделана.',
    );
  });

  it('refuses to make a message without any answer', () => {
    expect(() => answerMessageText([])).toThrow();
  });
});
