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
    // Under a term in the year itself, as above.
    expect(deadlineWarningText({ code: 'provisional-calendar', date: '2027-01-11' }, '2027-01-11')).toMatch(
      /^Срок рассчитан по календарю на 2027 год/,
    );
    expect(deadlineWarningText({ code: 'new-kind', date: '2029-05-01' })).toMatch(
      /^Срок рассчитан с оговоркой/,
    );
  });

  it('under a term of the year before, names the day of the warned year the term rests on', () => {
    // 30 days from 03.12.2026 end on 02.01.2027, a day off by the provisional 2027 calendar: the term moved back
    // to 30.12.2026, and it read «Срок рассчитан по календарю на 2027 год» under that date.
    expect(deadlineWarningText({ code: 'provisional-calendar', date: '2027-01-02' }, '2026-12-30')).toBe(
      'Срок ответа зависит от дня 02.01.2027 по календарю на 2027 год, составленному по Трудовому кодексу: ' +
        'постановление о переносе выходных ещё не издано, срок может измениться',
    );
    expect(deadlineWarningText({ code: 'outside-calendar', date: '2028-01-01' }, '2027-12-30')).toBe(
      'Срок ответа зависит от дня 01.01.2028: праздники 2028 года не учтены (года нет в производственном ' +
        'календаре): нерабочими днями считались только субботы и воскресенья',
    );
  });
});
