import { countRu } from '@inbox/common';
import { type MintedAnswerLink } from './public-answer-links.service';
import { type RatingOutcome } from './workflow/commands/rate.command';

/*
 * What staff actions and the channels' feeds send the applicant, in one place: the registration number and term
 * (the bot's registration notice and the e-mail one say it alike), the extension and redirection notices, the
 * message that brings the answers, the rating request under an answer sent by e-mail and the replies to a rating. Russian,
 * plain, «вы» to the citizen as in the bot's texts (libs/bot texts.ts); the bot's text scan (texts.spec.ts there)
 * reads every export here for Latin words, placeholders, «undefined» and stray spaces.
 */

/** A clerk's phrase inside our sentence: no closing punctuation of its own, and no capital unless it is a name. */
function clause(text: string): string {
  const bare = text
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/[\s.;,:]+$/u, '');
  return /^\p{Lu}\p{Ll}/u.test(bare) ? bare[0].toLowerCase() + bare.slice(1) : bare;
}

/** Closing punctuation the name does not need before ours, and no inner line breaks. */
function name(text: string): string {
  return text
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/[\s.;,:]+$/u, '');
}

/** '2026-12-22' → '22.12.2026'; anything that is not such a date → '' (never «undefined» in a citizen's text). */
export function russianDay(isoDate: unknown): string {
  const match = typeof isoDate === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate) : null;
  return match ? `${match[3]}.${match[2]}.${match[1]}` : '';
}

/**
 * The number and the term (59-ФЗ ст. 8 ч. 2, ст. 12 ч. 1), as every registration notice says them, from the
 * 'registered' event's data: the term in days from registration and its last day. A term or a date the event
 * does not carry is left out rather than written as «undefined».
 */
export function registrationAndTermRu(
  registrationNumber: string,
  answerDueDate: unknown,
  termDays: unknown,
): string {
  const head = `Обращение зарегистрировано, № ${registrationNumber}.`;
  const days =
    typeof termDays === 'number' && Number.isInteger(termDays) && termDays > 0
      ? countRu(termDays, 'день', 'дня', 'дней')
      : undefined;
  const term = days ? `Срок рассмотрения — ${days} со дня регистрации` : '';
  const due = russianDay(answerDueDate);
  if (term && due) return `${head}\n${term}, ответ будет направлен не позднее ${due}.`;
  if (term) return `${head}\n${term}.`;
  if (due) return `${head}\nОтвет будет направлен не позднее ${due}.`;
  return head;
}

/**
 * The registration notice of a letter registered as a 59-ФЗ appeal (a mailbox under the 'appeal' 547-ФЗ policy):
 * the number and the term, and where the answer comes.
 */
export function emailRegistrationNoticeRu(
  registrationNumber: string,
  answerDueDate: unknown,
  termDays: unknown,
): string {
  return (
    `${registrationAndTermRu(registrationNumber, answerDueDate, termDays)}\n` +
    'Ответ придёт на этот адрес электронной почты.'
  );
}

/**
 * The extension notice (59-ФЗ ст. 12 ч. 2: the citizen is told of the extension and why): the new last day, as the
 * registration notice says it, and the clerk's reason.
 */
export function extensionNoticeRu(registrationNumber: string, dueDay: string, reason: string): string {
  return `Срок рассмотрения вашего обращения № ${registrationNumber} продлён${extensionTermAndReason(dueDay, reason)}`;
}

/** «: ответ будет направлен не позднее 21.01.2027. Причина: …» — the notice's and the status page's words. */
function extensionTermAndReason(dueDay: string, reason: string): string {
  const why = clause(reason);
  return `${dueDay ? `: ответ будет направлен не позднее ${dueDay}` : ''}.${why ? ` Причина: ${why}.` : ''}`;
}

/**
 * The extension as the status page's history says it (data of the 'extended' event): the new last day and why,
 * as the notice told them — a form's citizen without an e-mail reads them nowhere else.
 */
export function extensionHistoryRu(answerDueDate: unknown, reason: unknown): string {
  return `Срок рассмотрения продлён${extensionTermAndReason(russianDay(answerDueDate), typeof reason === 'string' ? reason : '')}`;
}

/**
 * The redirection notice: which organisation has the appeal now and that its answer comes from it — for a 59-ФЗ
 * appeal (ст. 8 ч. 3) and, named as what it is, for a message outside 59-ФЗ (a social network's post, a private
 * chat), which is passed on as well. The organisation is as staff typed it, after a colon, so any name reads right.
 */
export function redirectionNoticeRu(
  registrationNumber: string,
  registeredDay: string,
  body: string,
  regime: string,
): string {
  const what = regime === 'appeal' ? 'Ваше обращение' : 'Ваше сообщение';
  return `${what} № ${registrationNumber} от ${registeredDay} ${redirectedTo(body)}`;
}

function redirectedTo(body: string): string {
  const to = name(body);
  return `передано в организацию, которая решает такие вопросы${to ? `: ${to}` : ''}. Ответ вам направит она.`;
}

/** The redirection as the status page's history says it (data of the 'redirected' event): to whom, and who answers. */
export function redirectionHistoryRu(body: unknown): string {
  return `Обращение ${redirectedTo(typeof body === 'string' ? body : '')}`;
}

/**
 * The notice of a join: the citizen sent the same appeal twice (two channels, or twice in one) and line 1 joined
 * the later into the earlier. Told through the later one's channel, under its number, that the answer comes
 * under the earlier number and that nothing of what they sent is lost.
 */
export function joinedNoticeRu(
  laterNumber: string,
  laterDay: string,
  earlierNumber: string,
  regime: string,
): string {
  const what = regime === 'appeal' ? 'Ваше обращение' : 'Ваше сообщение';
  return (
    `${what} № ${laterNumber}${laterDay ? ` от ${laterDay}` : ''} повторяет ваше обращение № ${earlierNumber} ` +
    `и объединено с ним: его текст и файлы добавлены к обращению № ${earlierNumber}. ` +
    `Ответ вы получите под номером ${earlierNumber}.`
  );
}

/** The join as the status page's history says it (data of the 'joined' event), on either of the two appeals. */
export function joinedHistoryRu(into: unknown, from: unknown): string {
  if (typeof into === 'string' && into)
    return `Объединено с обращением № ${into}: ответ будет дан под этим номером`;
  if (typeof from === 'string' && from)
    return `Объединено с обращением № ${from}: оно добавлено к этому как дополнение`;
  return 'Объединено с другим обращением';
}

/** One organisation's sent answer, as it goes into the message to the citizen. */
export interface AnswerForCitizen {
  /** The organisation's full name: the citizen reads who answered. */
  organisation: string;
  text: string;
}

/**
 * The text of the message that brings the citizen one or several answers. A single answer goes as written
 * (what the citizen always got); several (an organisation that answers combined) go one after another, each
 * under the name of the organisation that gave it, in the order they were sent.
 */
export function answerMessageText(answers: readonly AnswerForCitizen[]): string {
  if (answers.length === 0) throw new Error('a message to the citizen needs at least one answer');
  if (answers.length === 1) return answers[0].text;
  const sections = answers.map((a) => `${name(a.organisation)}:\n${a.text.trim()}`);
  return [`По вашему обращению ответили организации (${answers.length}).`, ...sections].join('\n\n');
}

/** The date a personal link stops working, in the appeal's zone, ending its sentence («1 января 2027 г.»). */
function linkUntilRu(expiresAt: Date, timeZone: string): string {
  const day = new Intl.DateTimeFormat('ru-RU', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone,
  }).format(expiresAt);
  // The abbreviation's full stop ends the sentence too.
  return /\.$/u.test(day) ? day : `${day}.`;
}

/**
 * Under an answer whose files the channel cannot carry (OK takes text only): what was attached and a personal link
 * per answer to its files (PublicAnswerLinks.mint for 'files'), with the date the links stop working in the appeal's zone.
 * A messenger's citizen holds no access code for the status page: the link is their way to the files.
 */
export function answerFileLinksTextRu(links: MintedAnswerLink[], timeZone: string): string {
  if (!links.length) return '';
  const filesOf = (l: MintedAnswerLink) => l.fileNames ?? [];
  const count = links.reduce((n, l) => n + filesOf(l).length, 0);
  const names = (l: MintedAnswerLink) =>
    filesOf(l)
      .map((f) => `«${name(f)}»`)
      .join(', ');
  const until = linkUntilRu(links[0].expiresAt, timeZone);
  const them = count === 1 ? 'его' : 'их';
  const lines =
    links.length === 1
      ? [
          count === 1
            ? `К ответу приложен файл ${names(links[0])}.`
            : `К ответу приложены файлы (${count}): ${names(links[0])}.`,
          `Файлы здесь не передаются: скачайте ${them} по ссылке`,
          links[0].url,
          `Ссылка личная, не пересылайте её. Она действует до ${until}`,
        ]
      : [
          `К ответам приложены файлы (${count}). Файлы здесь не передаются: скачайте ${them} по ссылкам.`,
          ...links.map((l) => `Ответ организации «${name(l.organisation)}» (${names(l)}): ${l.url}`),
          `Ссылки личные, не пересылайте их. Они действуют до ${until}`,
        ];
  return ['', '', ...lines].join('\n');
}

export const FILE_LINK_INVALID_RU =
  'Ссылка на файлы ответа недействительна. Откройте её из сообщения с ответом целиком, без изменений.';
export const FILE_LINK_EXPIRED_RU =
  'Срок действия ссылки на файлы ответа истёк. Чтобы получить файлы, напишите нам в том же чате или обратитесь ' +
  'в организацию, которая дала ответ, и назовите номер обращения.';

/**
 * The lines under an answer sent by e-mail that ask for its rating: one link, or one per answer when the letter
 * brings several (a combined answer), with the date the links stop working in the appeal's zone.
 */
export function ratingLinksTextRu(links: MintedAnswerLink[], timeZone: string): string {
  if (!links.length) return '';
  const until = linkUntilRu(links[0].expiresAt, timeZone);
  const lines =
    links.length === 1
      ? [
          'Пожалуйста, оцените ответ: получен ли ответ на ваш вопрос и удовлетворены ли вы им.',
          links[0].url,
          `Ссылка личная, не пересылайте письмо. Оценить ответ можно один раз, ссылка действует до ${until}`,
        ]
      : [
          'Пожалуйста, оцените ответы: получен ли ответ на ваш вопрос и удовлетворены ли вы им.',
          ...links.map((l) => `Ответ организации «${name(l.organisation)}»: ${l.url}`),
          `Ссылки личные, не пересылайте письмо. Каждый ответ можно оценить один раз, ссылки действуют до ${until}`,
        ];
  return ['', '', '—', ...lines].join('\n');
}

export const RATING_LINK_INVALID_RU =
  'Ссылка для оценки недействительна. Откройте её из письма с ответом целиком, без изменений.';
/**
 * A rating link comes with an answer by e-mail: to a letter's or a call's citizen as well, who never got an access
 * code (only the portal's form shows one) — the status page alone was a dead end for them; a reply is read by staff,
 * who record a rating given in a letter.
 */
export const RATING_LINK_EXPIRED_RU =
  'Срок действия ссылки для оценки истёк. Чтобы оценить ответ, ответьте на письмо с ответом и напишите в нём свою ' +
  'оценку. Если обращение подано на портале и у вас есть код доступа, оценить ответ можно и на странице ' +
  '«Проверить статус обращения».';
export const ALREADY_RATED_RU = 'Этот ответ уже оценён';
export const REOPENED_BY_RATING_RU =
  'Спасибо за оценку. Обращение направлено на повторное рассмотрение в вышестоящую организацию.';

/** What the citizen is told of their rating, on the rating page and the status page alike. */
export function ratingReplyRu(outcome: RatingOutcome): {
  accepted: boolean;
  reopened: boolean;
  message: string;
} {
  if (outcome.duplicate || outcome.refused)
    return { accepted: false, reopened: false, message: ALREADY_RATED_RU };
  const reopened = outcome.reopenedAt !== undefined;
  return { accepted: true, reopened, message: reopened ? REOPENED_BY_RATING_RU : 'Спасибо за оценку' };
}
