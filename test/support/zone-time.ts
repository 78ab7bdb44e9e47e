/**
 * An instant as the workspace writes it in an organisation's zone, «ДД.ММ.ГГГГ ЧЧ:ММ» (apps/web's formatDateTime):
 * what a walk expects on a screen that reads the appeal's time in its zone, whatever the browser's.
 */
export function zoneDateTime(at: Date | string, timeZone = 'Asia/Novosibirsk'): string {
  return new Intl.DateTimeFormat('ru-RU', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(new Date(at))
    .replace(',', '');
}
