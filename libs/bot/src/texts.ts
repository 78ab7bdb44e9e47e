import { CITIZEN_STATUS_TEXT_RU, type AppealStatus, registrationAndTermRu, russianDay } from '@inbox/appeals';
import { countRu } from '@inbox/common';

/*
 * Everything the bot says to a citizen, in one place. Russian only; no personal data in here — texts carry
 * registration numbers, statuses, dates and organisation names. Plain, polite Russian as in a letter of a public
 * body under 59-ФЗ: «вы» to the citizen, whole sentences, dates as ДД.ММ.ГГГГ (already local to the appeal's time
 * zone: the dates come from the database as the organisation's calendar days), numbers of days with the plural
 * form of countRu (@inbox/common). texts.spec.ts reads every text here for Latin words and placeholders.
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

/** The day as every citizen's text writes it (shared with the notices staff actions send, @inbox/appeals). */
export { russianDay };

export interface CitizenAppealLine {
  registrationNumber: string;
  registeredOn: string;
  status: AppealStatus;
  answerDueDate: string;
}

/** Statuses in which a due date still means something to the citizen. */
const WAITING = new Set(['registered', 'in_work', 'escalated', 'returned', 'extended', 'reopened']);

function lineOf(a: CitizenAppealLine): string {
  const dueDay = russianDay(a.answerDueDate);
  // Passed on to another organisation: the answer is its, in its own term — our last day would promise it.
  const due =
    a.status === 'redirected'
      ? ', ответ направит организация, в которую оно передано'
      : WAITING.has(a.status) && dueDay
        ? `, срок ответа до ${dueDay}`
        : '';
  const status = CITIZEN_STATUS_TEXT_RU[a.status] ?? 'На рассмотрении';
  return `№ ${a.registrationNumber} от ${russianDay(a.registeredOn)} — ${status}${due}`;
}

export function myAppealsRu(appeals: CitizenAppealLine[], limit: number): string {
  if (appeals.length === 0) {
    return 'У вас пока нет зарегистрированных обращений. Напишите сообщение — и мы его зарегистрируем.';
  }
  const head =
    appeals.length >= limit
      ? `Ваши последние ${countRu(limit, 'обращение', 'обращения', 'обращений')}:`
      : 'Ваши обращения:';
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
  return `Укажите номер обращения, например: ${slashCommands ? '/status' : 'Статус'} 2026-000123.`;
}

/**
 * The registration notice (59-ФЗ ст. 8 ч. 2, ст. 12 ч. 1): the number, the term in days from registration and the
 * last day of it, and (in a dialogue) how to follow the appeal. A term or a date the event does not carry is left
 * out rather than written as «undefined».
 */
export function registeredNoticeRu(
  registrationNumber: string,
  answerDueDate: unknown,
  termDays?: unknown,
  howToFollow?: string,
): string {
  const notice = registrationAndTermRu(registrationNumber, answerDueDate, termDays);
  return howToFollow ? `${notice}\n${howToFollow}` : notice;
}

/** Where the citizen sees how their appeal goes on: the list of their appeals with each one's status. */
export function followStatusRu(slashCommands: boolean): string {
  return slashCommands
    ? 'Узнать, как идёт рассмотрение, можно командой /my.'
    : 'Узнать, как идёт рассмотрение, можно, написав «Мои обращения».';
}

export const PHONE_BUTTON_RU = 'Поделиться номером телефона';

export function phoneRequestRu(): string {
  return (
    `Если вы хотите, чтобы специалист мог позвонить вам по обращению, нажмите кнопку «${PHONE_BUTTON_RU}» ` +
    'внизу экрана.'
  );
}

/** A further message of the citizen's joined their open appeal: they hear it was not lost nor made a new appeal. */
export function followUpReceivedRu(registrationNumber: string): string {
  return (
    `Ваше сообщение добавлено к обращению № ${registrationNumber}. Его увидит специалист, который рассматривает ` +
    'обращение.'
  );
}

export function escalatedNoticeRu(registrationNumber: string, organisations: string[]): string {
  return organisations.length > 0
    ? `Обращение № ${registrationNumber} передано на рассмотрение: ${organisations.join(', ')}.`
    : `Обращение № ${registrationNumber} передано на рассмотрение в профильный орган.`;
}

export function reopenedNoticeRu(registrationNumber: string, organisation: string, dueDate: unknown): string {
  const due = russianDay(dueDate);
  return (
    `Обращение № ${registrationNumber} направлено на повторное рассмотрение: ${organisation}.` +
    (due ? ` Новый срок ответа — до ${due}.` : '')
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
  if (outcome === 'no-answer') return 'Ответ ещё не дан: оценить его можно будет после ответа';
  return outcome === 'poor' ? 'Спасибо за оценку. Мы рассмотрим обращение повторно.' : 'Спасибо за оценку!';
}

export function ratingThanksRu(registrationNumber: string, poor: boolean): string {
  return poor
    ? `Спасибо за оценку ответа на обращение № ${registrationNumber}. Мы рассмотрим его повторно.`
    : `Спасибо за оценку ответа на обращение № ${registrationNumber}!`;
}

const WRITE_AGAIN_RU = 'Если вопрос не решён, опишите его в новом сообщении — мы зарегистрируем обращение.';

/** Digits typed once the answer is rated: not a second rating, and no appeal. */
export function ratingAlreadyGivenRu(registrationNumber: string): string {
  return `Ответ на обращение № ${registrationNumber} уже оценён, спасибо. ${WRITE_AGAIN_RU}`;
}

/** Digits typed after the rating window: they no longer count, and are no appeal either. */
export function ratingWindowClosedRu(registrationNumber: string, days: number): string {
  return (
    `Срок оценки ответа на обращение № ${registrationNumber} истёк: оценку принимаем в течение ` +
    `${countRu(days, 'дня', 'дней', 'дней')} после ответа. ${WRITE_AGAIN_RU}`
  );
}

/** Why a file the citizen sent was not kept, as the attachment fetcher names it. */
export type FileRefusal =
  | 'too-large'
  | 'type-not-allowed'
  | 'empty'
  | 'too-many'
  | 'not-found'
  | 'refused'
  | 'not-stored';

/**
 * A file of the citizen's was not kept (too large, a type staff cannot open safely, empty, one too many, or the
 * channel would not give it): they hear which, that the appeal stands without it, and what to send instead. A
 * file sent again in the same chat joins the appeal.
 */
export function fileNotAcceptedRu(
  registrationNumber: string,
  fileName: string,
  refusal: FileRefusal,
  limits: { maxMegabytes: number; maxCount: number },
): string {
  const name = fileName.trim() ? `Файл «${fileName.trim()}»` : 'Файл';
  const why: Record<FileRefusal, string> = {
    'too-large': `${name} не принят: он больше ${limits.maxMegabytes} МБ.`,
    'type-not-allowed': `${name} не принят: такие файлы не принимаются.`,
    empty: `${name} не принят: он пустой.`,
    'too-many': `${name} не принят: к обращению можно приложить не больше ${countRu(limits.maxCount, 'файла', 'файлов', 'файлов')}.`,
    'not-found': `${name} не удалось загрузить.`,
    refused: `${name} не удалось загрузить.`,
    'not-stored': `${name} не удалось сохранить.`,
  };
  const again =
    refusal === 'too-many'
      ? ''
      : ` Если он нужен, отправьте его в этот чат ещё раз как фото или документ до ${limits.maxMegabytes} МБ.`;
  return `${why[refusal]} Обращение № ${registrationNumber} зарегистрировано без него.${again}`;
}
