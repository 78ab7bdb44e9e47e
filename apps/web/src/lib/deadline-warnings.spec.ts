import { deadlineWarningText } from './deadline-warnings';

describe('deadlineWarningText (why a term may move, as the card says it)', () => {
  it('names the year whose calendar is provisional or missing, in Russian, whatever the stored message', () => {
    expect(deadlineWarningText({ code: 'provisional-calendar', date: '2027-01-11' })).toBe(
      'Срок рассчитан по календарю на 2027 год, составленному по Трудовому кодексу: постановление о переносе ' +
        'выходных ещё не издано, срок может измениться',
    );
    expect(deadlineWarningText({ code: 'outside-calendar', date: '2028-01-09' })).toBe(
      'Праздники 2028 года не учтены (года нет в производственном календаре): нерабочими днями считались только ' +
        'субботы и воскресенья',
    );
    expect(deadlineWarningText({ code: 'new-kind', date: '2029-05-01' })).toMatch(
      /^Срок рассчитан с оговоркой/,
    );
  });
});
