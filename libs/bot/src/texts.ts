import { APPEAL_STATUS_TEXT_RU, type AppealStatus } from '@inbox/appeals';

/*
 * Everything the bot says to a citizen, in one place. Russian only; no personal data in here — texts carry
 * registration numbers, statuses, dates and organisation names.
 */

/** Version of the personal-data notice below; stored with each consent as its proof (152-ФЗ ст. 9 ч. 3). */
export const CONSENT_NOTICE_VERSION = 'pd-notice-2026-11';

export const GREETING_RU =
  'Здравствуйте! Это бот Единого центра обращений граждан. Здесь можно сообщить о проблеме или подать ' +
  'обращение в органы власти области, узнать его номер и статус и получить ответ.';

export const CONSENT_NOTICE_RU = [
  'Чтобы зарегистрировать и рассмотреть обращение, нам нужно ваше согласие на обработку персональных данных ' +
    '(ст. 9 Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных»).',
  'Что обрабатывается: имя и идентификатор в мессенджере, текст обращения, фото и файлы, а также сведения, ' +
    'которые вы сообщите сами (телефон, адрес).',
  'Зачем: регистрация и рассмотрение обращения, направление ответа (Федеральный закон от 02.05.2006 № 59-ФЗ). ' +
    'Данные получают только органы и организации, которым поручено рассмотрение.',
  'Согласие действует до достижения цели обработки; отозвать его можно, написав нам об этом.',
].join('\n\n');

const CONSENT_LABEL_RU = 'Согласен на обработку персональных данных';
const CONSENT_LABEL_SHORT_RU = 'Согласен на обработку данных';

/** The consent button's label; a channel that cuts labels short (VK: 40 characters) gets the short one. */
export function consentLabelRu(maxLength: number): string {
  return CONSENT_LABEL_RU.length <= maxLength ? CONSENT_LABEL_RU : CONSENT_LABEL_SHORT_RU;
}

/** How to consent: a button where the channel has buttons, a word where it has none (OK). */
export function consentHowRu(buttonLabel: string | undefined): string {
  return buttonLabel
    ? `Если вы согласны, нажмите кнопку «${buttonLabel}».`
    : 'Если вы согласны, ответьте на это сообщение словом «Согласен».';
}

export const HELD_INTRO_RU =
  'Ваше сообщение получено и сохранено. Зарегистрировать его мы сможем после вашего согласия на обработку ' +
  'персональных данных.';

export const WRITE_APPEAL_RU =
  'Напишите ваше обращение: опишите проблему и укажите адрес, к сообщению можно приложить фото. Мы ' +
  'зарегистрируем его и сообщим номер и срок ответа.';

export const CONSENT_THANKS_RU = 'Спасибо, согласие получено.';
export const CONSENT_ALREADY_RU = 'Согласие на обработку персональных данных уже получено.';
export const RELEASED_RU = 'Сообщения, отправленные вами раньше, переданы на регистрацию.';
export const CONSENT_ACK_RU = 'Согласие получено';

export function helpRu(slashCommands: boolean): string {
  const my = slashCommands ? '/my' : '«Мои обращения»';
  const status = slashCommands ? '/status 2026-000123' : '«Статус 2026-000123»';
  const help = slashCommands ? '/help' : '«Помощь»';
  return [
    'Что умеет бот:',
    '• напишите сообщение (можно с фото) — мы зарегистрируем обращение и сообщим его номер и срок ответа;',
    `• ${my} — ваши обращения и их статус;`,
    `• ${status} — статус обращения по номеру;`,
    `• ${faqCommandRu(slashCommands)} — ответ из частых вопросов, если он уже есть;`,
    `• ${help} — эта справка.`,
  ].join('\n');
}

function faqCommandRu(slashCommands: boolean): string {
  return slashCommands ? '/faq когда включат отопление' : '«/вопрос когда включат отопление»';
}

export function faqUsageRu(slashCommands: boolean): string {
  return `Напишите вопрос после команды, например: ${faqCommandRu(slashCommands)}.`;
}

/** A published FAQ answer (libs/knowledge), with who answers and what to do if it is not the case. */
export function faqAnswerRu(entry: { question: string; answer: string; organisationName: string }): string {
  return (
    `Частый вопрос: «${entry.question}»\n\n${entry.answer}\n\nОтвечает: ${entry.organisationName}.\n\n` +
    'Если ответ не подходит к вашему случаю, напишите обращение — мы его зарегистрируем.'
  );
}

export const FAQ_NOT_FOUND_RU =
  'Готового ответа на такой вопрос нет. Напишите обращение: опишите проблему и адрес — мы его зарегистрируем ' +
  'и ответим в установленный срок.';

/** '2026-12-22' → '22.12.2026'. */
export function russianDay(isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-');
  return `${d}.${m}.${y}`;
}

export interface CitizenAppealLine {
  registrationNumber: string;
  registeredOn: string;
  status: AppealStatus;
  answerDueDate: string;
}

/** Statuses in which a due date still means something to the citizen. */
const WAITING = new Set([
  'registered',
  'in_work',
  'escalated',
  'returned',
  'extended',
  'reopened',
  'redirected',
]);

function lineOf(a: CitizenAppealLine): string {
  const due = WAITING.has(a.status) ? `, срок ответа до ${russianDay(a.answerDueDate)}` : '';
  return `№ ${a.registrationNumber} от ${russianDay(a.registeredOn)} — ${APPEAL_STATUS_TEXT_RU[a.status]}${due}`;
}

export function myAppealsRu(appeals: CitizenAppealLine[], limit: number): string {
  if (appeals.length === 0) {
    return 'У вас пока нет зарегистрированных обращений. Напишите сообщение — и мы его зарегистрируем.';
  }
  const head = appeals.length >= limit ? `Ваши последние ${limit} обращений:` : 'Ваши обращения:';
  return [head, ...appeals.map(lineOf)].join('\n');
}

export function appealStatusRu(appeal: CitizenAppealLine): string {
  return `Обращение ${lineOf(appeal)}.`;
}

export function statusNotFoundRu(registrationNumber: string, slashCommands: boolean): string {
  return (
    `Обращение № ${registrationNumber} не найдено среди ваших обращений. Проверьте номер или отправьте ` +
    `${slashCommands ? '/my' : '«Мои обращения»'}.`
  );
}

export function statusUsageRu(slashCommands: boolean): string {
  return `Укажите номер обращения, например: ${slashCommands ? '/status' : 'Статус'} 2026-000123`;
}

export function registeredNoticeRu(registrationNumber: string, answerDueDate: string): string {
  return `Обращение зарегистрировано, № ${registrationNumber}, срок ответа до ${russianDay(answerDueDate)}.`;
}

export const PHONE_BUTTON_RU = 'Поделиться номером телефона';

export function phoneRequestRu(): string {
  return `Чтобы специалист мог связаться с вами по обращению, нажмите «${PHONE_BUTTON_RU}» внизу экрана.`;
}

export function escalatedNoticeRu(registrationNumber: string, organisations: string[]): string {
  return organisations.length > 0
    ? `Обращение № ${registrationNumber} передано на рассмотрение: ${organisations.join(', ')}.`
    : `Обращение № ${registrationNumber} передано на рассмотрение в профильный орган.`;
}

export function reopenedNoticeRu(registrationNumber: string, organisation: string, dueDate: string): string {
  return (
    `Обращение № ${registrationNumber} направлено на повторное рассмотрение: ${organisation}. ` +
    `Новый срок ответа — до ${russianDay(dueDate)}.`
  );
}

/** S4 п. 27.3: the two questions; under them the channel's buttons, or digits where it has none (OK). */
export function ratingRequestRu(registrationNumber: string, hasButtons: boolean): string {
  const questions = [
    `Пожалуйста, оцените ответ на обращение № ${registrationNumber}.`,
    '1) Получен ли ответ на ваш вопрос?',
    '2) Удовлетворены ли вы ответом?',
  ];
  if (hasButtons) return [...questions, 'Ответьте кнопками ниже.'].join('\n');
  return [
    ...questions,
    'Отправьте две цифры через пробел: первая — 1 (да) или 2 (нет); вторая — 1 (удовлетворён), ' +
      '2 (удовлетворён частично) или 3 (не удовлетворён). Например: 1 1',
  ].join('\n');
}

export function ratingAckRu(outcome: string): string {
  if (outcome === 'appeal-not-found') return 'Обращение не найдено';
  if (outcome === 'not-applicant') return 'Оценить ответ может только автор обращения';
  if (outcome === 'already-rated') return 'Этот ответ уже оценён';
  if (outcome === 'no-answer') return 'Ответ ещё не дан: оценить можно после ответа';
  return outcome === 'poor' ? 'Спасибо за оценку. Мы рассмотрим обращение повторно.' : 'Спасибо за оценку!';
}

export function ratingThanksRu(registrationNumber: string, poor: boolean): string {
  return poor
    ? `Спасибо за оценку ответа на обращение № ${registrationNumber}. Мы рассмотрим его повторно.`
    : `Спасибо за оценку ответа на обращение № ${registrationNumber}!`;
}
