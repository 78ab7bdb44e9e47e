import { channelLabel, labelOf } from './labels';

/**
 * What a connector's stored error (a delivery's, a channel account's) means, in the words staff read; the
 * channel's own words beside.
 */
export interface DeliveryErrorText {
  reason: string;
  /** What the channel answered, as it said it (kept for the administrator). */
  detail?: string;
}

/** The connectors' error codes (integrations/contract ConnectorErrorCode) in Russian. */
const CODE_REASON: Record<string, string> = {
  Temporary: 'Канал временно недоступен',
  RateLimited: 'Канал ограничил частоту отправки',
  AuthFailed: 'Канал отказал в доступе: проверьте ключи учётной записи канала',
  NotFound: 'Получатель недоступен в канале (заблокировал бота, удалил переписку или адрес неверен)',
  InvalidPayload: 'Канал не принял сообщение в таком виде',
  CursorInvalid: 'Ошибка канала',
};

/**
 * The «Попыток» cell: how many times the channel was tried, or, when it never was, why not — a message whose
 * channel is not set up fails before any send, and «0» read as if nothing had been done.
 */
export function attemptsText(attempts: number, lastError: string | null | undefined): string {
  if (attempts > 0) return String(attempts);
  return UNCONFIGURED.test(lastError ?? '') ? 'не отправлялось: канал не подключён' : 'не отправлялось';
}

/** How the delivery worker marks a message failed after all its retries (apps/worker delivery.worker.ts). */
const AFTER_RETRIES = /^(после \d+ попыток): ([\s\S]+)$/;

/** The reason DeliveryService records when no account of the channel can send. */
const UNCONFIGURED = /^канал доставки для «([a-z-]+)» не настроен$/;

/**
 * A failed delivery's `lastError` for the «Недоставленные» page: a connector's `Code: message` becomes the
 * code's Russian meaning with the message as detail; a channel named by its code gets its Russian name; any
 * other reason (already Russian) is kept.
 */
export function deliveryErrorText(lastError: string | null | undefined): DeliveryErrorText {
  if (!lastError) return { reason: '—' };
  // Every retry spent on a temporary failure (the worker writes «после N попыток: » before the last one's reason).
  const retried = AFTER_RETRIES.exec(lastError);
  if (retried) {
    const last = deliveryErrorText(retried[2]);
    return { ...last, reason: `${last.reason} (${retried[1]})` };
  }
  const coded = /^([A-Za-z]+): ([\s\S]*)$/.exec(lastError);
  if (coded && CODE_REASON[coded[1]]) return { reason: CODE_REASON[coded[1]], detail: coded[2] };
  const unconfigured = UNCONFIGURED.exec(lastError);
  if (unconfigured) {
    const channel = channelLabel(unconfigured[1]);
    return {
      reason: `Канал «${channel}» не подключён: повторите отправку, когда администратор его настроит`,
    };
  }
  return { reason: lastError };
}

/** What each feed action was to do (libs/feeds FeedActionKind), as a history line says it was not done. */
const FEED_ACTION_NOT_DONE: Record<string, string> = {
  'pos-status': 'Статус обращения не передан в ПОС',
  'pos-files': 'Файлы обращения не получены из ПОС',
  'medo-receipt': 'Уведомление о регистрации не отправлено в МЭДО',
  'email-547-notice': 'Заявителю не отправлено уведомление по 547-ФЗ',
  'email-registration-notice': 'Заявителю не отправлено уведомление о регистрации',
};

/** Text that reads as Russian from its first letter (a message written for the administrator). */
const RUSSIAN = /^[^A-Za-z]*[А-Яа-яЁё]/;

/**
 * Why a feed action failed for good (history `feed-action-failed`: its `kind` and `reason`): what was not done and
 * why, in Russian — a connector's code in words, a message written for the administrator as it is, an unexpected
 * error (stored as it was thrown, in English) as an internal one; the remote side's or the error's own words as
 * detail. The history showed the event's title alone.
 */
export function feedActionFailureText(data: Record<string, unknown>): DeliveryErrorText {
  const what = labelOf(
    FEED_ACTION_NOT_DONE,
    typeof data.kind === 'string' ? data.kind : null,
    'Действие во внешней системе не выполнено',
  );
  const stored = typeof data.reason === 'string' ? data.reason.trim() : '';
  if (!stored) return { reason: `${what}. Причина не записана` };
  const known = deliveryErrorText(stored);
  const { reason, detail } = RUSSIAN.test(known.reason)
    ? known
    : { reason: 'Внутренняя ошибка системы, повторные попытки исчерпаны', detail: stored };
  return { reason: `${what}. Причина: ${reason}`, ...(detail ? { detail } : {}) };
}

/** Codes of a failure the channel may get over by itself (the connector's retryable ones). */
const PASSING = new Set(['Temporary', 'RateLimited']);

/**
 * What a channel's refusal means for the citizen, by the connector's code and the connector that refused (the
 * event's `channel`), in words a clerk acts on; `other` when the connector is not named (an event written before).
 */
const REFUSAL: Record<string, Record<string, string>> = {
  NotFound: {
    email: 'Адрес электронной почты отклонён почтовым сервером: уточните адрес у заявителя',
    telegram: 'Пользователь заблокировал бота или удалил переписку: свяжитесь с заявителем иначе',
    vk: 'Заявитель запретил сообщения сообщества или удалил переписку: свяжитесь с ним иначе',
    ok: 'Заявитель закрыл сообщения группы или удалил профиль: свяжитесь с ним иначе',
    other: 'Заявитель недоступен в канале: свяжитесь с ним иначе',
  },
  InvalidPayload: {
    email: 'Почтовый сервер не принял письмо: сообщите администратору',
    other: 'Канал не принял сообщение в таком виде: сообщите администратору',
  },
  AuthFailed: { other: 'Канал отказал в доступе: сообщите администратору' },
  CursorInvalid: { other: 'Ошибка канала: сообщите администратору' },
};

/**
 * Why a message to the citizen was not delivered (history `delivery-failed`: its `reason`, the connector that
 * refused as `channel`, `retrying` when a round is to come), as a clerk reads it: a connector's code in Russian
 * words a clerk can act on, by channel (a mailbox refused, a bot blocked), a passing failure as «повторим позже»
 * while a round is to come, a reason we wrote in Russian as it is. The channel's own words (an HTTP status, an
 * exception's message) are never shown: they are in the delivery worker's log, and on «Недоставленные».
 */
export function deliveryFailureText(data: Record<string, unknown>): string {
  const reason = failureReason(data);
  const parts = partsSentText(data.partsSent, data.retrying === true);
  // An interrupted send's own reason says what went out already.
  return parts && !reason.startsWith(INTERRUPTED) ? `${reason}. ${parts}` : reason;
}

/** How DeliveryService's reasons for a held send begin (INTERRUPTED_REASON, interruptedPartsReason). */
const INTERRUPTED = 'Доставка прервана';

/**
 * What a send in several messages got out before it failed (`partsSent`: { sent, total }), and that the retry sends
 * only the rest: «Гражданину уже ушли части 1–2 из 3; повторная отправка отправит только остальные». Null when the
 * send was one message, or none of it went.
 */
export function partsSentText(value: unknown, retrying = false): string | null {
  const parts = (value ?? {}) as { sent?: unknown; total?: unknown };
  const sent = Number(parts.sent);
  const total = Number(parts.total);
  if (!Number.isInteger(sent) || !Number.isInteger(total) || sent < 1 || total <= sent) return null;
  const out = sent === 1 ? `ушла часть 1 из ${total}` : `ушли части 1–${sent} из ${total}`;
  const rest = retrying
    ? 'остальные уйдут при следующей попытке'
    : 'повторная отправка отправит только остальные';
  return `Гражданину уже ${out}; ${rest}`;
}

/**
 * A `delivered` event of a send in several messages resumed after a failure (`resumed`: { sent, total }, the parts out
 * before it): «Доставлено с возобновлением: части 1–2 из 3 ушли раньше, после сбоя отправлены только остальные».
 */
export function resumedDeliveryText(value: unknown): string | null {
  const parts = (value ?? {}) as { sent?: unknown; total?: unknown };
  const sent = Number(parts.sent);
  const total = Number(parts.total);
  if (!Number.isInteger(sent) || !Number.isInteger(total) || sent < 1 || total <= sent) return null;
  const before = sent === 1 ? `часть 1 из ${total} ушла` : `части 1–${sent} из ${total} ушли`;
  return `Доставлено после сбоя: ${before} раньше, отправлены только остальные — без повторов`;
}

/** deliveryFailureText's reason, without what went out. */
function failureReason(data: Record<string, unknown>): string {
  const stored = typeof data.reason === 'string' ? data.reason.trim() : '';
  const retrying = data.retrying === true;
  const channel = typeof data.channel === 'string' ? data.channel : '';
  const passing = retrying
    ? 'Канал недоступен, повторим позже'
    : 'Канал недоступен, автоматические попытки исчерпаны: повторите отправку на странице «Недоставленные»';
  if (!stored) return 'Причина не записана';
  const afterRetries = AFTER_RETRIES.exec(stored);
  const last = afterRetries ? afterRetries[2] : stored;
  const code = /^([A-Za-z]+): /.exec(last)?.[1] ?? '';
  if (PASSING.has(code)) return passing;
  const refusal = Object.hasOwn(REFUSAL, code) ? REFUSAL[code] : undefined;
  if (refusal) return (Object.hasOwn(refusal, channel) ? refusal[channel] : undefined) ?? refusal.other;
  // A reason of ours (no address to answer to, an interrupted send, an account off) is Russian already.
  if (RUSSIAN.test(last)) {
    const ours = deliveryErrorText(last).reason;
    const said = ours.charAt(0).toUpperCase() + ours.slice(1);
    return retrying ? `${said}; повторим позже` : said;
  }
  // An unexpected error, as it was thrown (in English).
  return retrying ? passing : 'Внутренняя ошибка системы при отправке: сообщите администратору';
}
