/** What a deadline computation warned of (the api's `deadlines.warnings`). */
export interface DeadlineWarning {
  code: string;
  date: string;
}

/**
 * A warning in the clerk's words, from its code and date: a term that runs into a year whose holidays are not
 * yet decreed may move. Composed here rather than shown from the api's message, which appeals registered before
 * 7 December 2026 keep in English.
 */
export function deadlineWarningText(warning: DeadlineWarning): string {
  const year = warning.date.slice(0, 4);
  switch (warning.code) {
    case 'provisional-calendar':
      return (
        `Срок рассчитан по календарю на ${year} год, составленному по Трудовому кодексу: постановление ` +
        'о переносе выходных ещё не издано, срок может измениться'
      );
    case 'outside-calendar':
      return (
        `Праздники ${year} года не учтены (года нет в производственном календаре): нерабочими днями ` +
        'считались только субботы и воскресенья'
      );
    default:
      return 'Срок рассчитан с оговоркой: проверьте его по производственному календарю';
  }
}
