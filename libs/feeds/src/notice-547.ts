/**
 * What we send to the author of a plain e-mail when the mailbox policy is 'message-with-notice' (the e-mail
 * connector marks such items `notice547`).
 * Since 30.03.2025 (Федеральный закон № 547-ФЗ, amending 59-ФЗ) an appeal in electronic form is filed
 * through the official site's form or the Gosuslugi portal, not by e-mail; the citizen must be told so. The letter
 * says its registration number in its first line (a subject may be cut or lost in a forward) and, where the region
 * has our appeal form, links it, so the citizen has somewhere to go.
 */
export function notice547Ru(registrationNumber: string, formUrl?: string): string {
  const form = formUrl
    ? `формой на официальном сайте органа власти (${formUrl})`
    : 'формой на официальном сайте органа власти';
  return (
    `Ваше письмо получено и зарегистрировано как сообщение № ${registrationNumber}. ` +
    'С 30 марта 2025 года в соответствии с Федеральным законом № 547-ФЗ письмо, направленное ' +
    'на адрес электронной почты, не является обращением в порядке Федерального закона от 02.05.2006 ' +
    '№ 59-ФЗ «О порядке рассмотрения обращений граждан Российской Федерации». ' +
    `Чтобы направить обращение в электронной форме, воспользуйтесь ${form} ` +
    'или порталом Госуслуг (www.gosuslugi.ru). Обращение также можно направить ' +
    'в письменной форме почтой или подать лично.'
  );
}
