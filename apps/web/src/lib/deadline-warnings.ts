import { formatLocalDate } from './time';

/** What a deadline computation warned of (the api's `deadlines.warnings`). */
export interface DeadlineWarning {
  code: string;
  date: string;
}

/**
 * A warning in the clerk's words, from its code and date: a term that runs into a year whose holidays are not
 * yet decreed may move. Composed here rather than shown from the api's message, which appeals registered before
 * 7 December 2026 keep in English.
 *
 * The warned date may lie in a later year than the term itself: a 30-day term whose last day (say 02.01.2027) is
 * a day off moves back to 30.12.2026, and that move rests on the 2027 calendar. Under such a term the warning
 * names the day it rests on (it read «Срок рассчитан по календарю на 2027 год» under 30.12.2026).
 */
export function deadlineWarningText(warning: DeadlineWarning, dueDate?: string): string {
  const year = warning.date.slice(0, 4);
  const otherYear = dueDate !== undefined && dueDate.slice(0, 4) !== year;
  const day = formatLocalDate(warning.date);
  switch (warning.code) {
    case 'provisional-calendar':
      return (
        (otherYear
          ? `Срок ответа зависит от дня ${day} по календарю на ${year} год, `
          : `Срок рассчитан по календарю на ${year} год, `) +
        'составленному по Трудовому кодексу: постановление о переносе выходных ещё не издано, срок может измениться'
      );
    case 'outside-calendar':
      return (
        (otherYear ? `Срок ответа зависит от дня ${day}: праздники ` : 'Праздники ') +
        `${year} года не учтены (года нет в производственном календаре): нерабочими днями ` +
        'считались только субботы и воскресенья'
      );
    default:
      return 'Срок рассчитан с оговоркой: проверьте его по производственному календарю';
  }
}
