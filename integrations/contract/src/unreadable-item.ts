/**
 * For an inbound item the connector's own reading threw on (a shape never seen, a bug of ours): the item is
 * quarantined whole with this reason instead of stopping the items after it. `what` names the item in Russian
 * («Сообщение ПОС», «Заявка с сайта»). The error's class only, never its message: a message may quote the input.
 */
export function unreadableItemReason(what: string, error: unknown): string {
  return (
    `${what} не удалось разобрать: сбой программы чтения канала (${errorSummary(error)}). ` +
    'Исходные данные сохранены в карантине целиком: разберите их вручную и сообщите о сбое администратору.'
  );
}

/** The error's class and where it was thrown in our code (file:line), for logs: no input values. */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const frame = /\(?([^\s()]+\.[jt]s):(\d+):\d+\)?/.exec(error.stack?.split('\n').slice(1).join('\n') ?? '');
  const where = frame ? `, ${frame[1].split(/[\\/]/).slice(-2).join('/')}:${frame[2]}` : '';
  return `${error.name}${where}`;
}
