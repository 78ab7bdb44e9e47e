import { type AppealStatus, type Role } from '../api/types';

export const STATUS_LABEL: Record<AppealStatus, string> = {
  registered: 'Зарегистрировано',
  in_work: 'На рассмотрении',
  escalated: 'Передано на 2-ю линию',
  returned: 'Возвращено на 1-ю линию',
  redirected: 'Перенаправлено по компетенции',
  extended: 'Срок продлён',
  answered: 'Дан ответ',
  closed: 'Завершено',
  reopened: 'На повторном рассмотрении',
};

export const STATUS_COLOR: Record<AppealStatus, string> = {
  registered: 'blue',
  in_work: 'cyan',
  escalated: 'violet',
  returned: 'orange',
  redirected: 'gray',
  extended: 'yellow',
  answered: 'teal',
  closed: 'gray',
  reopened: 'red',
};

export const OPEN_STATUSES: AppealStatus[] = [
  'registered',
  'in_work',
  'escalated',
  'returned',
  'extended',
  'reopened',
];

export const CHANNEL_LABEL: Record<string, string> = {
  website: 'Сайт',
  pos: 'ПОС',
  email: 'Эл. почта',
  medo: 'МЭДО',
  vk: 'ВКонтакте',
  ok: 'Одноклассники',
  telegram: 'Telegram',
  operator: 'Оператор',
  import: 'Импорт',
};

export const CHANNEL_COLOR: Record<string, string> = {
  website: 'blue.6',
  pos: 'indigo.6',
  email: 'cyan.6',
  medo: 'gray.6',
  vk: 'violet.6',
  ok: 'orange.6',
  telegram: 'teal.6',
  operator: 'grape.6',
  import: 'yellow.6',
};

/** Short role names for history lines. */
export const ROLE_SHORT: Record<Role, string> = {
  operator: 'оператор 1-й линии',
  clerk: 'специалист 2-й линии',
  head: 'руководитель подразделения',
  supervisor: 'руководитель',
  admin: 'администратор',
};

export const ROLE_LABEL: Record<Role, string> = {
  operator: 'Оператор 1-й линии (ЦУР/ЕКЦ)',
  clerk: 'Специалист органа власти (2-я линия)',
  head: 'Руководитель подразделения (утверждает ответы и продление срока)',
  supervisor: 'Руководитель',
  admin: 'Администратор',
};

export const ORG_KIND_LABEL: Record<string, string> = {
  region: 'Высший орган',
  'management-centre': 'ЦУР',
  department: 'Орган исполнительной власти',
  subordinate: 'Подведомственное учреждение',
  municipality: 'Муниципальное образование',
};

/** How the citizen gets the line-2 answers to appeals an organisation is responsible for. */
export const ANSWER_DELIVERY_LABEL: Record<'each' | 'combined', string> = {
  each: 'Каждый ответ отдельно',
  combined: 'Один общий ответ',
};

export const EVENT_LABEL: Record<string, string> = {
  received: 'Обращение поступило',
  registered: 'Зарегистрировано',
  'follow-up-received': 'Получено дополнение',
  taken: 'Взято в работу',
  assigned: 'Назначен исполнитель',
  classified: 'Указана тема',
  escalated: 'Передано на 2-ю линию',
  returned: 'Возвращено как направленное не по адресу',
  redirected: 'Направлено по компетенции',
  extended: 'Срок рассмотрения продлён',
  'line2-extended': 'Продлён срок ответа 2-й линии',
  'answer-drafted': 'Подготовлен проект ответа',
  'answer-approved': 'Ответ согласован',
  'answer-edited': 'Проект ответа исправлен',
  'answer-discarded': 'Проект ответа отменён',
  'answer-sent-back': 'Проект ответа возвращён на доработку',
  'file-attached': 'К обращению приложен файл',
  'answer-file-attached': 'К проекту ответа приложен файл',
  'answer-file-removed': 'Из проекта ответа убран файл',
  // What the event means (the answer was given and handed to its channel), true whatever became of its delivery:
  // «Ответ отправлен заявителю» stood above «Не удалось доставить сообщение»; the delivery has its own events.
  answered: 'Дан ответ',
  'combined-answer-sent': 'Дан общий ответ',
  delivered: 'Ответ доставлен',
  'delivery-failed': 'Не удалось доставить сообщение',
  'delivery-retried': 'Доставка повторена',
  'delivery-state': 'Статус доставки обновлён',
  closed: 'Рассмотрение завершено',
  rated: 'Получена оценка ответа',
  reopened: 'Направлено на повторное рассмотрение',
  'status-changed': 'Статус изменён',
  'clock-at-risk': 'Срок под угрозой',
  'clock-overdue': 'Срок нарушен',
  'classification-queued': 'Передано на автоматическую классификацию',
  'auto-classified': 'Тема определена автоматически',
  routed: 'Подобраны организации по правилам маршрутизации',
  'fast-tracked': 'Назначено ускоренное рассмотрение',
  'incident-linked': 'Связано с инцидентом',
  'incident-answered': 'Дан ответ по инциденту',
  'incident-excluded': 'Исключено из инцидента',
  'incident-added': 'Добавлено к инциденту',
  'legal-flag-raised': 'Выявлен признак по 59-ФЗ',
  'legal-flag-confirmed': 'Признак по 59-ФЗ подтверждён',
  'legal-flag-dismissed': 'Признак по 59-ФЗ отклонён',
  'card-updated': 'Карточка дополнена',
  'contacts-changed': 'Контакты изменены',
  'feed-action-failed': 'Не удалось передать статус во внешнюю систему',
  'personal-data-erased': 'Персональные данные удалены по истечении срока хранения',
  'pos-status': 'Статус в ПОС при поступлении',
  'pos-history': 'Событие в ПОС',
  withdrawn: 'Заявитель удалил сообщение или канал его отозвал (запись сохранена)',
  'dialogue-closed':
    'Заявитель закрыл переписку (заблокировал бота или запретил сообщения сообщества): сообщения в этом канале до него не дойдут',
  'dialogue-reopened': 'Заявитель снова принимает наши сообщения в этом канале',
  joined: 'Обращения объединены',
};

/** ПОС's status and event codes in Russian (its own statusText, when sent, is shown instead). */
export const POS_STATUS_LABEL: Record<string, string> = {
  MODERATION_NEW: 'На модерации',
  MODERATION_ACCEPT: 'Принято модератором',
  MODERATION_DECLINE: 'Отклонено модератором',
  TAKE_TO_WORK: 'Взято в работу',
  SET_EXECUTOR: 'Назначен исполнитель',
  POSTPONE: 'Срок ответа перенесён',
  FORWARD_TO_PARENT: 'Передано вышестоящей организации',
  FORWARD_TO_SUBORDINATE: 'Передано подведомственной организации',
  SEND_RESPONSE: 'Направлен ответ',
};

/**
 * A code's Russian name from its map; a code the map does not know (a newer server, a value added later)
 * reads as the Russian phrase `unknown`, never as the raw code: everything staff read is Russian.
 */
export function labelOf(
  map: Record<string, string>,
  code: string | null | undefined,
  unknown: string,
): string {
  return (code != null && Object.prototype.hasOwnProperty.call(map, code) ? map[code] : undefined) ?? unknown;
}

const FILE_REJECTION_LABEL: Record<string, string> = {
  'too-large': 'файл больше допустимого размера',
  'not-found': 'файл удалён или недоступен в канале',
  refused: 'канал отказал в выдаче файла',
  empty: 'файл пустой',
  'type-not-allowed': 'недопустимый тип файла',
  'too-many': 'превышено допустимое число файлов',
  'not-stored':
    'файл не получен: система не смогла сохранить его, повторные попытки исчерпаны; попросите заявителя прислать файл ещё раз',
};

/**
 * Why a file was not taken (an attachment's rejection reason), in Russian: the codes the intake and the file
 * fetchers write, a download given up after its retries, a Russian text (personal data erased) as it is.
 */
export function fileRejectionLabel(reason: string | null | undefined): string {
  if (reason?.startsWith('download-failed')) return 'не удалось скачать файл из канала';
  if (reason && /^[^A-Za-z]*[А-Яа-яЁё]/.test(reason)) return reason;
  return labelOf(FILE_REJECTION_LABEL, reason, 'файл отклонён');
}

/** A history event's type in Russian; an unknown code reads as a neutral phrase, never as the raw code. */
export function eventLabel(type: string): string {
  return labelOf(EVENT_LABEL, type, 'Служебное событие');
}

export const LEGAL_FLAG_LABEL: Record<string, string> = {
  anonymous: 'Анонимное: нет фамилии или адреса для ответа (ч. 1 ст. 11)',
  offensive: 'Нецензурные выражения, угрозы (ч. 3 ст. 11)',
  'court-decision': 'Обжалуется судебное решение (ч. 2 ст. 11)',
  repeated: 'Повторное без новых доводов (ч. 5 ст. 11)',
  'several-topics': 'Несколько вопросов разных тем',
};

export const EVENT_COLOR: Record<string, string> = {
  escalated: 'violet',
  returned: 'orange',
  answered: 'teal',
  delivered: 'teal',
  'clock-at-risk': 'yellow',
  'clock-overdue': 'red',
  'delivery-failed': 'red',
  reopened: 'red',
  rated: 'grape',
  closed: 'gray',
};

export const CLOCK_LABEL: Record<string, string> = {
  answer: 'срок ответа',
  'line2-answer': 'срок ответа 2-й линии',
  escalation: 'срок передачи на 2-ю линию',
  redirect: 'срок переадресации',
  'misrouted-return': 'срок возврата',
};

export const SATISFACTION_LABEL: Record<string, string> = {
  satisfied: 'Удовлетворён',
  partially: 'Частично удовлетворён',
  'not-satisfied': 'Не удовлетворён',
  'not-answered': 'Ответа на вопрос нет',
  score: 'Оценка по шкале канала',
};

export const DAY_KIND_LABEL: Record<string, string> = {
  working: 'Рабочий день',
  short: 'Сокращённый рабочий день',
  weekend: 'Выходной',
  holiday: 'Нерабочий праздничный день',
  'moved-working': 'Рабочий (перенос)',
};

export function plural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

/** The shared maps read through labelOf: an unknown code is a Russian phrase, never the code. */
export const channelLabel = (channel: string) => labelOf(CHANNEL_LABEL, channel, 'Другой канал');
export const statusLabel = (status: string) => labelOf(STATUS_LABEL, status, 'Статус уточняется');
export const satisfactionLabel = (kind: string) => labelOf(SATISFACTION_LABEL, kind, 'Другая оценка');
export const clockLabel = (clock: string) => labelOf(CLOCK_LABEL, clock, 'срок');
export const orgKindLabel = (kind: string) => labelOf(ORG_KIND_LABEL, kind, 'Другой вид организации');
export const roleLabel = (role: string) => labelOf(ROLE_LABEL, role, 'Сотрудник');
export const roleShort = (role: string) => labelOf(ROLE_SHORT, role, 'сотрудник');

/**
 * A phone as people read it: a Russian number (+7 and ten digits, however it was stored: «+79611984704», «8 961
 * 198 47 04») in groups, +7 961 198-47-04; anything else as it was given.
 */
export function phoneLabel(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const national = digits.length === 11 && /^[78]/.test(digits) ? digits.slice(1) : null;
  if (!national || !/^[+\d\s()-]+$/.test(phone.trim())) return phone;
  return `+7 ${national.slice(0, 3)} ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}`;
}

/**
 * For a phone's header: the surname whole and the initials («Константинопольская-Щедрина Е. А.») of a name written
 * as a surname, a first name and a patronymic, or that ends in a surname and initials («Специалист Минжкх Петров
 * С. В.» → «Петров С. В.»); any other name as it is. Shown in up to two lines.
 */
export function shortName(fullName: string): string {
  const words = fullName.trim().split(/\s+/);
  const word = /^[А-ЯЁ][а-яё]+(-[А-ЯЁ][а-яё]+)?$/;
  if (words.length >= 2 && words.length <= 3 && words.every((w) => word.test(w)))
    return [words[0], ...words.slice(1).map((w) => `${w[0]}.`)].join(' ');
  const withInitials = /(?:^|\s)([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?)$/.exec(
    fullName.trim(),
  );
  return withInitials ? withInitials[1] : fullName;
}

/** The avatar's two letters: of the surname and first name («Руководитель ЦУР Смирнова О. Н.» → «СО», not «РЦ»). */
export function avatarInitials(fullName: string): string {
  return shortName(fullName)
    .split(/\s+/)
    .filter((w) => /^[А-ЯЁA-Z]/.test(w))
    .slice(0, 2)
    .map((w) => w[0])
    .join('');
}
