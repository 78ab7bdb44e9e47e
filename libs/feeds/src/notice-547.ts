/**
 * What we send to the author of a plain e-mail when the mailbox policy is 'message-with-notice' (the e-mail
 * connector marks such items `notice547`).
 * Since 30.03.2025 (Федеральный закон № 547-ФЗ, amending 59-ФЗ) an appeal in electronic form is filed
 * through the official site's form or the Gosuslugi portal, not by e-mail; the citizen must be told so.
 */
export const NOTICE_547_RU =
  'Ваше письмо получено и зарегистрировано как сообщение. ' +
  'С 30 марта 2025 года в соответствии с Федеральным законом № 547-ФЗ письмо, направленное ' +
  'на адрес электронной почты, не является обращением в порядке Федерального закона от 02.05.2006 ' +
  '№ 59-ФЗ «О порядке рассмотрения обращений граждан Российской Федерации». ' +
  'Чтобы направить обращение в электронной форме, воспользуйтесь формой на официальном сайте ' +
  'органа власти или порталом Госуслуг (www.gosuslugi.ru). Обращение также можно направить ' +
  'в письменной форме почтой или подать лично.';

/** The same notice with a link to our own appeal form, when the region has one. */
export function notice547Ru(formUrl?: string): string {
  if (!formUrl) return NOTICE_547_RU;
  return NOTICE_547_RU.replace(
    'формой на официальном сайте органа власти',
    `формой на официальном сайте органа власти (${formUrl})`,
  );
}
