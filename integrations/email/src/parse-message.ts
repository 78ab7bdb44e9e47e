import { createHash } from 'node:crypto';
import {
  Channel,
  cleanText,
  clipLongText,
  contentTypeOf,
  extensionFor as commonExtensionFor,
  instantMsInZone,
  instantMsOf,
  RUSSIAN_ZONES,
  isWritableInstant,
  OCTET_STREAM,
  safeFileName,
  type DeliveryStateEvent,
  type InboundAttachment,
  type InboundItem,
} from '@inbox/integrations/contract';
import { convert as htmlToText } from 'html-to-text';
import {
  type AddressObject,
  type Attachment,
  type HeaderValue,
  type ParsedMail,
  simpleParser,
} from 'mailparser';
import { DEFAULT_EMAIL_TIME_ZONE, type Policy547 } from './account';
import { extractUuencoded } from './uuencode';
import { isReplyLetter, splitQuotedReply } from './quoted-reply';
import { registrationNumberOfReply } from './subject-number';
import { calendarInviteText } from './calendar-invite';
import { decompressRtf, textOfRtf } from './rtf-body';
import { openSmime } from './smime';
import { readTnefBody, readTnefFiles, type TnefFile } from './tnef';
import {
  canonicalCharsetLabels,
  decodeEncodedWordsGuessing,
  looksLikeMisdeclaredCyrillic,
  looksLikeMisreadUtf8,
  repairRawHeaders,
  repairUndeclaredCharsets,
} from './charset-repair';
import {
  emailThreadKey,
  messageIdList,
  normaliseMessageId,
  outboundIdOf,
  ownMessageIdDomain,
} from './message-id';

export interface ParseContext {
  policy547: Policy547;
  maxAttachmentBytes: number;
  /** The account's From address: our own Message-IDs and our own letters are recognised by it. */
  fromAddress: string;
  /** Where the message sits, for the fallback external id and for attachment references. */
  mailbox?: string;
  uidValidity?: number;
  uid?: number;
  /** When the server received the message (IMAP INTERNALDATE); else the Date header is used. */
  receivedAt?: Date;
  /** Used when neither INTERNALDATE nor a Date header is there. */
  now?: () => Date;
  /**
   * The account's IANA zone (settings.timeZone): a Date header written without its zone is a wall time there,
   * not in the process's zone. Europe/Moscow when absent.
   */
  timeZone?: string;
}

/**
 * Why a message was left out on purpose, unseen: our own letter coming back, and a delay notice (the final
 * report about the same letter follows it). Letters a machine wrote to us are not left out: see
 * automaticLetterReason.
 */
export type SkipReason = 'bounce-delayed' | 'own-message';

/** A letter a machine wrote, set aside for staff instead of becoming an appeal. */
type AutomaticKind = 'auto-reply' | 'auto-generated' | 'bounce-unrelated' | 'receipt-unrelated';

const REGISTER_BY_HAND = 'Если это письмо гражданина, зарегистрируйте его вручную.';

/**
 * What staff read in the channel quarantine for a letter a machine wrote: an auto-reply (a vacation notice, often
 * to our own registration notice or answer), a notification a system generated, a report of a
 * delivery failure about a letter we did not send (or whose original we could not find). None starts an appeal's
 * clock, but none vanishes either: a form relay that marks its letters Auto-Submitted, or a bounce of our answer
 * quoted in a way we could not read, is still a citizen's business. The detail names the header that decided.
 */
export function automaticLetterReason(kind: AutomaticKind, detail?: string): string {
  const why = detail ? ` (${detail})` : '';
  switch (kind) {
    case 'auto-reply':
      return `Автоответ${why}: не зарегистрирован как обращение. ${REGISTER_BY_HAND}`;
    case 'auto-generated':
      return `Письмо создано автоматически${why}: не зарегистрировано как обращение. ${REGISTER_BY_HAND}`;
    case 'bounce-unrelated':
      return (
        'Уведомление о недоставке письма, которое не найдено среди отправленных системой: не зарегистрировано ' +
        'как обращение. Если в нём ответ гражданину, проверьте адрес заявителя.'
      );
    case 'receipt-unrelated':
      return (
        'Уведомление о прочтении письма, которое не найдено среди отправленных системой: не зарегистрировано ' +
        'как обращение.'
      );
  }
}

export type ParsedEmail =
  | { kind: 'item'; item: InboundItem }
  | { kind: 'delivery-state'; event: DeliveryStateEvent }
  | { kind: 'skipped'; externalId: string; reason: SkipReason; detail?: string }
  | { kind: 'rejected'; externalId?: string; reason: string };

/** Remote reference of an attachment left in the mailbox: `imap:<mailbox>:<uidValidity>:<uid>:<part>`. */
export function attachmentRef(mailbox: string, uidValidity: number, uid: number, partId: string): string {
  return `imap:${encodeURIComponent(mailbox)}:${uidValidity}:${uid}:${partId}`;
}

export function parseAttachmentRef(
  ref: string,
): { mailbox: string; uidValidity: number; uid: number; partId: string } | undefined {
  const m = /^imap:([^:]+):(\d+):(\d+):(\d+(?:\.\d+)*)$/.exec(ref);
  if (!m) return undefined;
  try {
    return { mailbox: decodeURIComponent(m[1]), uidValidity: Number(m[2]), uid: Number(m[3]), partId: m[4] };
  } catch {
    return undefined;
  }
}

// Subjects of vacation and out-of-office replies: the prefixes Outlook, Exchange, Yandex and Mail.ru put.
const VACATION_SUBJECT =
  /^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|auto|out of (?:the )?office(?: reply)?|abwesenheitsnotiz|automatische antwort|автоответ|автоматический ответ|вне офиса|нет на месте)\s*:/i;
// Words that say it whatever follows («Автоответ», «Автоответ Re: …»). Not \b: in a regular expression without the
// u flag a Cyrillic letter is no word character, and «Автоответ» alone never matched.
const OUT_OF_OFFICE_SUBJECT =
  /^\s*(?:out of (?:the )?office|автоответ|автоматический ответ)(?![\p{L}\p{N}])/iu;
// A whole subject of only these words (a mail client's away notice without a prefix); «Нет на месте люка» is a
// citizen's, so nothing may follow them.
const AWAY_SUBJECT =
  /^\s*(?:нет на месте|вне офиса|я в отпуске|в отпуске|away from (?:the )?office)\s*[.!]?\s*$/iu;
// The de-facto X-Autoreply family, whoever names it: X-Autoreply, X-Autorespond, X-Autoresponder,
// X-Mail-Autoreply, X-Yandex-Autoreply, X-AutoReply-From. Not X-Auto-Response-Suppress: that asks the receiver not
// to auto-reply, and Outlook, help desks and site forms put it on letters people wrote (see autoReplyReason).
const AUTOREPLY_HEADER = /^x-(?:[a-z0-9]+-)*auto-?(?:reply|respond|responder|response)(?:-from)?$/;
const BOUNCE_SENDER = /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;
const BOUNCE_SUBJECT =
  /undeliver|delivery (?:status notification|failure|has failed)|returned mail|failure notice|mail delivery failed|не доставлено|недоставленное|не может быть доставлено|ошибка доставки/i;

// mailparser numbers parts IMAP-style (partId); its typings do not say so.
type MailParserAttachment = Attachment & { partId?: string | null };

function headerText(headers: Map<string, HeaderValue>, key: string): string | undefined {
  const value = headers.get(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : v.value)).join(', ');
  if (value instanceof Date) return value.toISOString();
  if ('value' in value && typeof value.value === 'string') return value.value;
  if ('text' in value) return value.text;
  return undefined;
}

function structured(
  headers: Map<string, HeaderValue>,
  key: string,
): { value: string; params: Record<string, string> } {
  const value = headers.get(key);
  if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    'params' in value
  ) {
    return { value: value.value.toLowerCase(), params: value.params };
  }
  if (typeof value === 'string') return { value: value.toLowerCase(), params: {} };
  return { value: '', params: {} };
}

function firstAddress(
  obj: AddressObject | AddressObject[] | undefined,
): { address: string; name?: string } | undefined {
  for (const group of Array.isArray(obj) ? obj : obj ? [obj] : []) {
    for (const entry of group.value) {
      const candidates = entry.address ? [entry] : (entry.group ?? []);
      for (const c of candidates) {
        if (c.address && /^[^\s@]+@[^\s@]+$/.test(c.address)) {
          return { address: c.address, name: cleanText(c.name).trim() || undefined };
        }
      }
    }
  }
  return undefined;
}

// A site's or a service's own address that writes letters on a person's behalf.
const RELAY_SENDER =
  /^(?:no-?reply|do-?not-?reply|robot|mailer|webmaster|wordpress|forms?|feedback-?form)(?:[-+._][^@]*)?@/i;
// A list that rewrote From for DMARC: «Иван Петров via Жители района <group@…>», «… через …».
const VIA_NAME = /^(.+?)\s+(?:via|через)\s+\S/i;

/**
 * Who wrote the letter: its From, unless From is a relay writing on someone's behalf — a site's form or a
 * service's no-reply address, a list that rewrote From for DMARC — and Reply-To names another address: then the
 * person in Reply-To (one applicant per citizen, not one for everyone who used the form).
 */
function authorOf(
  from: { address: string; name?: string },
  replyTo: { address: string; name?: string } | undefined,
): { address: string; name?: string; relayed: boolean } {
  if (!replyTo || replyTo.address.toLowerCase() === from.address.toLowerCase())
    return { ...from, relayed: false };
  const via = from.name ? VIA_NAME.exec(from.name) : null;
  if (!RELAY_SENDER.test(from.address) && !via) return { ...from, relayed: false };
  const name = replyTo.name || via?.[1].replace(/^['"]|['"]$/g, '').trim() || undefined;
  return { address: replyTo.address, ...(name ? { name } : {}), relayed: true };
}

/** Offset of the body: after the first empty line (CRLF or bare LF). */
function bodyOffset(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return raw.length;
  if (crlf === -1) return lf + 2;
  if (lf === -1) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}

/** Header blocks of a message/delivery-status body (RFC 3464): per-message fields, then per recipient. */
function dsnBlocks(content: string): Map<string, string>[] {
  return content
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      const unfolded = block.replace(/\n[ \t]+/g, ' ');
      for (const line of unfolded.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((f) => f.size > 0);
}

interface BounceInfo {
  action: 'failed' | 'delayed' | 'delivered' | 'read';
  reason?: string;
  originalMessageId?: string;
  /** A read receipt (MDN), not a delivery report. */
  receipt?: boolean;
}

/**
 * A delivery report (RFC 3464 DSN, RFC 8098 MDN) or a bounce in the old free-text form. The original
 * Message-ID comes from the returned message's headers, which follow the report's own headers.
 */
function bounceInfo(
  parsed: ParsedMail,
  raw: Buffer,
  fromAddress: string | undefined,
): BounceInfo | undefined {
  const contentType = structured(parsed.headers, 'content-type');
  const reportType = (contentType.params['report-type'] ?? '').toLowerCase();
  const attachments = parsed.attachments as MailParserAttachment[];
  const returnedIds = (): string | undefined => {
    const body = raw.subarray(bodyOffset(raw)).toString('latin1');
    const ids = [...body.matchAll(/^(?:Original-)?Message-ID:[ \t]*((?:.|\r?\n[ \t])*)/gim)]
      .map((m) => normaliseMessageId(m[1]))
      .filter((id): id is string => !!id);
    return ids[0] ?? messageIdList(parsed.inReplyTo)[0] ?? messageIdList(parsed.references)[0];
  };

  if (contentType.value === 'multipart/report' && reportType === 'delivery-status') {
    const part = attachments.find((a) => /^message\/(?:global-)?delivery-status$/i.test(a.contentType));
    const blocks = part ? dsnBlocks(part.content.toString('utf8')) : [];
    const recipients = blocks.filter((b) => b.has('action'));
    const actions = recipients.map((b) => (b.get('action') ?? '').toLowerCase());
    const failed = recipients.find((b) => (b.get('action') ?? '').toLowerCase() === 'failed');
    const chosen = failed ?? recipients[0];
    const action: BounceInfo['action'] = failed
      ? 'failed'
      : actions.some((a) => a === 'delayed')
        ? 'delayed'
        : actions.some((a) => a === 'delivered' || a === 'relayed' || a === 'expanded')
          ? 'delivered'
          : 'failed';
    const reason = chosen
      ? [chosen.get('status'), chosen.get('diagnostic-code')].filter(Boolean).join(' ') || undefined
      : undefined;
    return { action, reason, originalMessageId: returnedIds() };
  }
  if (contentType.value === 'multipart/report' && reportType === 'disposition-notification') {
    const part = attachments.find((a) =>
      /^message\/(?:global-)?disposition-notification$/i.test(a.contentType),
    );
    const fields = part
      ? (dsnBlocks(part.content.toString('utf8'))[0] ?? new Map<string, string>())
      : new Map();
    const disposition = (fields.get('disposition') ?? '').toLowerCase();
    const original = normaliseMessageId(fields.get('original-message-id')) ?? returnedIds();
    // `action-mode/sending-mode; type[/modifier]` (RFC 8098): displayed is read; deleted, dispatched and processed
    // arrived all the same (deleted unread, forwarded, taken by a machine); only failed (RFC 2298) or an error
    // modifier says the letter did not arrive.
    const [type = '', modifier = ''] = (disposition.split(';')[1] ?? disposition).trim().split('/');
    const action: BounceInfo['action'] =
      type === 'failed' || /error|failed/.test(modifier)
        ? 'failed'
        : type === 'displayed'
          ? 'read'
          : 'delivered';
    return {
      action,
      ...(action === 'failed' ? { reason: disposition || undefined } : {}),
      originalMessageId: original,
      receipt: true,
    };
  }
  // Old-style bounces: plain text from the mailer daemon, the original quoted in the body.
  const subject = parsed.subject ?? '';
  // Exim names the addresses it could not reach in X-Failed-Recipients, whatever From it writes.
  const failedRecipients = parsed.headers.has('x-failed-recipients');
  if (failedRecipients || (fromAddress ? BOUNCE_SENDER.test(fromAddress) : BOUNCE_SUBJECT.test(subject))) {
    const delayed = /delay|задерж/i.test(subject) && !BOUNCE_SUBJECT.test(subject);
    return {
      action: delayed ? 'delayed' : 'failed',
      reason: subject.trim() || undefined,
      originalMessageId: returnedIds(),
    };
  }
  return undefined;
}

/** RFC 3834 Auto-Submitted, the de-facto X-Autoreply family, Precedence, and vacation subjects. */
function autoReplyReason(parsed: ParsedMail): { reason: AutomaticKind; detail: string } | undefined {
  const h = parsed.headers;
  const autoSubmitted = (headerText(h, 'auto-submitted') ?? '').trim().toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no')) {
    return {
      reason: autoSubmitted.startsWith('auto-replied') ? 'auto-reply' : 'auto-generated',
      detail: `Auto-Submitted: ${autoSubmitted.split(';')[0].slice(0, 40)}`,
    };
  }
  // A report (RFC 6522) is a machine's: an abuse feedback report (ARF), a TLS report… Delivery reports and read
  // receipts, the reports about our own letters, were read before (bounceInfo).
  const contentType = structured(h, 'content-type');
  if (contentType.value === 'multipart/report') {
    const reportType = (contentType.params['report-type'] ?? '').toLowerCase();
    return {
      reason: 'auto-generated',
      detail: `multipart/report${/^[a-z0-9.-]{1,40}$/.test(reportType) ? `; report-type=${reportType}` : ''}`,
    };
  }
  // The null reverse-path (RFC 5321 4.5.5): only delivery reports and automatic replies (RFC 3834 3.3) carry it.
  if (/^<\s*>$/.test(rawHeader(parsed, 'return-path') ?? ''))
    return { reason: 'auto-generated', detail: 'Return-Path: <>' };
  for (const key of h.keys()) {
    if (!AUTOREPLY_HEADER.test(key)) continue;
    const value = headerText(h, key);
    if (value !== undefined && !/^\s*(?:no|false|0)\s*$/i.test(value))
      return { reason: 'auto-reply', detail: key };
  }
  const precedence = (headerText(h, 'precedence') ?? '').trim().toLowerCase();
  if (precedence === 'auto_reply') return { reason: 'auto-reply', detail: 'Precedence: auto_reply' };
  // X-Auto-Response-Suppress alone decides nothing: an Exchange away notice carries it beside its «Automatic
  // reply:» subject or Auto-Submitted (read above and below), but so do letters from Outlook, help desks and site
  // forms that a person wrote (Discourse, osTicket and Redmine each dropped it from their auto-reply checks).
  const subject = parsed.subject ?? '';
  if (VACATION_SUBJECT.test(subject) || OUT_OF_OFFICE_SUBJECT.test(subject) || AWAY_SUBJECT.test(subject)) {
    return { reason: 'auto-reply', detail: 'тема автоответа' };
  }
  return undefined;
}

/** What staff read in the channel quarantine for a mass mailing set aside (see isMassMailing). */
export const MASS_MAILING_REASON =
  'Массовая рассылка (в письме есть заголовок отписки List-Unsubscribe): не зарегистрирована как обращение. ' +
  'Если это письмо гражданина, зарегистрируйте его вручную.';

/** What staff read in the channel quarantine for a letter with nothing to answer to. */
export const NO_SENDER_REASON =
  'В письме нет адреса отправителя (ни в From, ни в Reply-To, ни в Sender): ответить заявителю невозможно. ' +
  'Если это письмо гражданина, зарегистрируйте его вручную.';

/** …and for a letter with no words and no files at all: no text, no subject, no attachment. */
export const EMPTY_LETTER_REASON = 'Пустое письмо: нет ни текста, ни темы, ни вложений';

/** …and for one whose only words are the signature its mail app adds by itself. */
export const APP_SIGNATURE_ONLY_REASON =
  'Пустое письмо: в нём только подпись почтовой программы («Отправлено с iPhone» и т. п.), нет ни темы, ни ' +
  'вложений. Возможно, файлы не прикрепились: если нужно, попросите заявителя отправить письмо снова.';

// «Отправлено с iPhone», «Отправлено из мобильной Почты Mail.ru», «Отправлено из приложения Яндекс Почта для
// Android», «Sent from my iPhone», «Get Outlook for Android», after a «--» line or not: a device or a mail app named,
// so that a citizen's own one line («Отправлено с опозданием, прошу…») is never taken for one.
const APP_SIGNATURE =
  /^(?:--\s*\n\s*)?(?:(?:отправлено|послано)\s+(?:с|со|из)|sent\s+from|get)\s+(?:[\p{L}.]+\s+){0,4}?(?:iphone|ipad|android|samsung|galaxy|huawei|honor|xiaomi|redmi|outlook|mail\.ru|яндекс[\s.]?почт[аыи]|yandex[\s.]?mail|gmail)(?:\s+[\p{L}\d.]+){0,3}\.?$/iu;

/** Whether a letter's text is only the signature a mail app adds to every letter. */
export function isAppSignatureOnly(text: string): boolean {
  return APP_SIGNATURE.test(text.trim());
}

/** What staff read in the channel quarantine for a letter its sender marked `Precedence: bulk` or `junk`. */
export const BULK_PRECEDENCE_REASON =
  'Массовая рассылка (отправитель пометил письмо заголовком Precedence: bulk или junk): не зарегистрирована ' +
  'как обращение. Если это письмо гражданина, зарегистрируйте его вручную.';

/**
 * A letter its sender marked as bulk (`Precedence: bulk` or `junk`, the old convention of list servers and mass
 * mailers). Like a List-Unsubscribe mailing it is no appeal and no auto-reply to be dropped either: it is
 * quarantined whole with BULK_PRECEDENCE_REASON, where staff see it and can register it by hand (before, it was
 * only logged as skipped, and a citizen's letter sent through such a mailer was lost to staff). A real
 * auto-reply that also carries it (Auto-Submitted, X-Autoreply, a vacation subject) is named an auto-reply.
 */
function hasBulkPrecedence(parsed: ParsedMail): boolean {
  const precedence = (headerText(parsed.headers, 'precedence') ?? '').trim().toLowerCase();
  return precedence === 'bulk' || precedence === 'junk';
}

/**
 * A newsletter or mass mailing: the letter carries `List-Unsubscribe` (RFC 2369), which every bulk sender sets
 * (Gmail's, Yandex's and Mail.ru's rules for mass senders require it) and a person's mail program never does. A
 * regional inbox gets many (a subscription a clerk made, a shop, a service's digest); as appeals each would start
 * a legal clock and a registration notice to a no-reply address. It is not dropped: the pull quarantines it whole
 * with MASS_MAILING_REASON, staff see it among the channel's unread inputs and can register it by hand, and the
 * letter stays in the mailbox.
 * A citizen's reply must not end up there because their letter went through a list or a mailer that adds the
 * header (a corporate gateway, a Google group): a letter that names one of our letters in In-Reply-To or
 * References answers us, and is always read as a citizen's letter. `List-Id` alone (a discussion list a person
 * writes through) is not a mailing either.
 */
function isMassMailing(parsed: ParsedMail, fromAddress: string): boolean {
  // mailparser folds List-* into one `list` header object: the raw lines tell whether the header was there at all.
  if (!(parsed.headerLines ?? []).some((line) => line.key === 'list-unsubscribe')) return false;
  const named = [...messageIdList(parsed.inReplyTo), ...messageIdList(parsed.references)];
  return !named.some((id) => outboundIdOf(id, fromAddress) !== undefined);
}

/** Extensions of kinds the channels' common table does not name, as mail carries them. */
const MAIL_EXTENSIONS: Record<string, string> = {
  'application/pkcs7-mime': 'p7m',
  'application/x-pkcs7-mime': 'p7m',
  'application/x-pkcs7-signature': 'p7s',
  'text/html': 'html',
  'text/calendar': 'ics',
  'message/rfc822': 'eml',
};

/**
 * The extension a file without a name is given by its content type: the one a clerk's computer opens it by
 * (`.jpg`, `.txt`, `.docx`), `bin` for a file of unknown kind, else the subtype as it is (`x-icon`).
 */
function extensionFor(contentType: string): string {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const known = MAIL_EXTENSIONS[type] ?? commonExtensionFor(type).replace(/^\./, '');
  if (known) return known;
  const sub = type === OCTET_STREAM ? '' : (type.split('/')[1]?.split(/[;+]/)[0] ?? '');
  return /^[a-z0-9.-]{1,20}$/.test(sub) ? sub : 'bin';
}

export function formatMb(bytes: number): string {
  return (bytes / 1048576).toLocaleString('ru-RU', { maximumFractionDigits: 1 });
}

/**
 * One raw RFC 5322 message → an inbound item, a delivery-state event about something we sent, a
 * deliberate skip (auto-reply, unrelated bounce) or a rejection (a message we cannot read reliably).
 * Never throws: whatever happens to one message must not stop the rest of the batch.
 */
export async function parseEmail(raw: Buffer, ctx: ParseContext): Promise<ParsedEmail> {
  try {
    return await parse(raw, ctx);
  } catch (error) {
    // A bug or a parser surprise on one letter: report it, keep the batch going.
    return {
      kind: 'rejected',
      reason:
        `Письмо не удалось разобрать (внутренняя ошибка: ${error instanceof Error ? error.message : String(error)})`.slice(
          0,
          500,
        ),
    };
  }
}

/** A Date that is one, in the years 0001–9999: «01 Apr 275760» is a Date too, and its ISO no database reads back. */
function validDate(value: Date | undefined): Date | undefined {
  return value && isWritableInstant(value.getTime()) ? value : undefined;
}

/**
 * The text of an HTML body as a clerk reads it: paragraphs and line breaks kept, no tags, styles, scripts or
 * images, links as their text, no hard wrapping, non-breaking spaces as spaces.
 */
function textOfHtml(html: string): string {
  return (
    htmlToText(html, {
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { ignoreHref: true } },
        { selector: 'img', format: 'skip' },
        { selector: 'h1', options: { uppercase: false } },
        { selector: 'h2', options: { uppercase: false } },
        { selector: 'h3', options: { uppercase: false } },
        { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      ],
    })
      .replace(/\u00a0/g, ' ')
      // Only from the start of a run of blanks: tried at every blank, a long run not ending a line was scanned
      // once per blank (quadratic: 60 000 no-break spaces held the worker for 6 s).
      .replace(/(?<![ \t])[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/**
 * The letter's Date header, when it can be read; mailparser puts its own "now" in place of one it cannot, and reads
 * the Russian `DD.MM.YYYY HH:mm[:ss] [zone]` some mailers write month first (01.04.2025 as 4 January). A named
 * Russian zone (MSK, YEKT…) is its offset.
 */
function headerDate(parsed: ParsedMail, timeZone: string): Date | undefined {
  const raw = parsed.headerLines.find((l) => l.key === 'date')?.line.replace(/^date:\s*/i, '');
  if (!raw) return undefined;
  const line = raw
    .replace(/\s*\(([A-Z]{3,4})\)\s*$/, ' $1')
    .trim()
    .replace(/\b([A-Z]{3,4})$/, (zone) => RUSSIAN_ZONES[zone]?.replace(':', '') ?? zone);
  const russian =
    /^(\d{1,2}\.\d{1,2}\.\d{4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?)\s*(?:([+-]\d{2}):?(\d{2})?)?$/.exec(line);
  if (russian) {
    // Without a zone, the account's, as for any zone-less time a remote system writes (instantMsInZone).
    const ms = russian[2]
      ? instantMsOf(russian[1], `${russian[2]}:${russian[3] ?? '00'}`)
      : instantMsInZone(russian[1], timeZone);
    return ms === undefined ? undefined : new Date(ms);
  }
  // RFC 2822 (or ISO) cut short of its zone: a wall time in the account's zone; Date.parse and mailparser read it in
  // the process's (UTC on a server: three to eleven hours off for a Russian sender).
  const zoneless =
    instantMsOf(line) !== undefined && instantMsOf(line, '+00:00') !== instantMsOf(line, '+01:00');
  if (zoneless) {
    const ms = instantMsInZone(line, timeZone);
    return ms === undefined ? undefined : new Date(ms);
  }
  const ms = instantMsOf(line);
  if (ms === undefined) return undefined;
  return line === raw.trim() ? (validDate(parsed.date) ?? new Date(ms)) : new Date(ms);
}

function parseMime(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, {
    // Keep the DSN body as a part of its own, so bounces can be read field by field.
    keepDeliveryStatus: true,
    skipTextToHtml: true,
    // mailparser turns HTML into text only when the whole letter is one HTML part; we do it for every letter
    // whose body is HTML only (an HTML part beside attachments included), below.
    skipHtmlToText: true,
    skipImageLinks: true,
  } as Parameters<typeof simpleParser>[1]);
}

const REPLACEMENT_UTF8 = Buffer.from('\ufffd', 'utf8');

/**
 * A letter parsed, its undeclared Cyrillic repaired: the letter itself, and a letter forwarded inside it (an old
 * letter in windows-1251 that a citizen forwards as an attachment is as likely to be undeclared as any).
 */
async function readMime(original: Buffer): Promise<ParsedMail> {
  // Apple Mail's `x-mac-cyrillic` and the like, which mailparser does not know: renamed before anything is read.
  const labelled = (await canonicalCharsetLabels(original)) ?? original;
  // Parts delimited by another boundary than the header declares: the body's own delimiter, or nothing comes out.
  const raw = withBodysBoundary(labelled) ?? labelled;
  let parsed = await parseMime(raw);
  let source = raw;
  // Headers in raw 8-bit windows-1251 or KOI8-R (no encoded-words: old clients, scanners) read as «�����».
  if (headerHasReplacementChars(parsed) && !raw.includes(REPLACEMENT_UTF8)) {
    const fixed = await repairRawHeaders(raw);
    if (fixed) parsed = await parseMime((source = fixed));
  }
  // A text part in 8-bit Cyrillic that does not say so (no charset, "utf-8", a name nobody knows) reads as
  // «�����»: decode such parts by guess and read the letter again. Letters that read cleanly pay nothing.
  // Only parts that say nothing, UTF-8 or ASCII are decoded by guess: a real Latin-1 letter is left alone.
  if (
    (hasReplacementChars(parsed) && !raw.includes(REPLACEMENT_UTF8)) ||
    hasMojibake(parsed, source) ||
    hasLatin1Runs(parsed)
  ) {
    const repaired = await repairUndeclaredCharsets(source);
    if (repaired) parsed = await parseMime(repaired);
  }
  return parsed;
}

// RFC 2046's boundary characters; a delimiter line is `--boundary`, a closing one `--boundary--`.
const DELIMITER_LINE =
  /^--([0-9A-Za-z'()+_,./:=?-][0-9A-Za-z'()+_,./:=? -]{0,68}[0-9A-Za-z'()+_,./:=?-]|[0-9A-Za-z'()+_,./:=?-])[ \t]*\r?$/m;

/**
 * A multipart letter whose parts are delimited by another boundary than its header declares, or with none declared
 * (a relay that rewrote the header, a site's form mailer gluing parts by hand): read as declared, the whole body is
 * a preamble, no text and no file come out, and the letter was set aside as one whose text could not be decoded.
 * The delimiter the body uses (its first delimiter line, found at least twice) goes into the header instead.
 * Undefined when the declared boundary is in the body or the body has no delimiter of its own.
 */
function withBodysBoundary(raw: Buffer): Buffer | undefined {
  const offset = bodyOffset(raw);
  const head = raw.subarray(0, offset).toString('latin1');
  const contentType = /^content-type:[ \t]*multipart\/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im.exec(head)?.[0];
  if (!contentType) return undefined;
  const declared = /\bboundary\s*=\s*(?:"([^"]*)"|([^\s;"]*))/i.exec(contentType);
  const boundary = declared ? (declared[1] ?? declared[2] ?? '') : '';
  if (boundary && raw.indexOf(`--${boundary}`, offset, 'latin1') !== -1) return undefined;
  // The first delimiter line near the body's start (a preamble is short), then the same delimiter again.
  const found = DELIMITER_LINE.exec(raw.subarray(offset, offset + 65_536).toString('latin1'));
  const own = found?.[1].replace(/--$/, '');
  if (!own || own === boundary) return undefined;
  const first = raw.indexOf(`--${own}`, offset, 'latin1');
  if (raw.indexOf(`--${own}`, first + own.length + 2, 'latin1') === -1) return undefined;
  const fixed = declared
    ? contentType.replace(declared[0], `boundary="${own}"`)
    : `${contentType}; boundary="${own}"`;
  return Buffer.concat([
    Buffer.from(
      head.replace(contentType, () => fixed),
      'latin1',
    ),
    raw.subarray(offset),
  ]);
}

// A part labelled with a single-byte Cyrillic charset somewhere in the letter: only then can the label be wrong.
const SINGLE_BYTE_LABEL = /charset\s*=\s*"?(?:windows-1251|cp1251|koi8-[ru]|cp866|ibm866|iso-8859-5)\b/i;

/** UTF-8 read as a single-byte charset, or one single-byte Cyrillic charset read as another. */
function hasMojibake(parsed: ParsedMail, raw: Buffer): boolean {
  const texts = [parsed.text ?? '', typeof parsed.html === 'string' ? parsed.html : ''];
  if (texts.some(looksLikeMisreadUtf8)) return true;
  return texts.some(looksLikeMisdeclaredCyrillic) && SINGLE_BYTE_LABEL.test(raw.toString('latin1'));
}

/** The raw text of a top header, unfolded, without its name. */
function rawHeader(parsed: ParsedMail, key: string): string | undefined {
  const line = parsed.headerLines.find((l) => l.key === key)?.line;
  return line?.slice(line.indexOf(':') + 1).trim();
}

// An encoded-word mailparser left as it was: a charset it does not know (`ANSI_X3.4-1968`, `x-unknown`).
const UNDECODED_WORD = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/;

/**
 * A decoded header value, or, when it reads with U+FFFD, still holds an encoded-word, reads as no Russian (a
 * wrong single-byte label) or as Cyrillic read as Latin-1 («Ñíåã»), its encoded-words decoded with the Cyrillic
 * guess (a word whose bytes read as Russian in its own label's charset keeps it).
 */
function readable(parsed: ParsedMail, key: string, value: string | undefined): string | undefined {
  if (!value) return value;
  if (
    !value.includes('\ufffd') &&
    !UNDECODED_WORD.test(value) &&
    !looksLikeMisdeclaredCyrillic(value) &&
    !LATIN1_RUN.test(value)
  )
    return value;
  const raw = rawHeader(parsed, key);
  return (raw !== undefined ? decodeEncodedWordsGuessing(raw) : undefined) ?? value;
}

/** The sender's name likewise: the display name of the raw From, its encoded-words decoded with the guess. */
function readableName(parsed: ParsedMail, name: string): string {
  if (!name.includes('\ufffd') && !looksLikeMisdeclaredCyrillic(name) && !LATIN1_RUN.test(name)) return name;
  const raw = rawHeader(parsed, 'from');
  const decoded = raw !== undefined ? decodeEncodedWordsGuessing(raw.split('<')[0]) : undefined;
  return cleanText(decoded?.replace(/^[\s"]+|[\s"]+$/g, '')) || name;
}

function headerHasReplacementChars(parsed: ParsedMail): boolean {
  const texts = [parsed.subject, ...[parsed.from, parsed.replyTo].flat().map((a) => a?.text)];
  return (
    texts.some((text) => text?.includes('\ufffd')) ||
    // A raw 8-bit file name is read byte by byte as Latin-1: «Æàëîáà.doc» for «Жалоба.doc».
    parsed.attachments.some((a) => /[\u00c0-\u00ff]{3}/.test(a.filename ?? ''))
  );
}

function hasReplacementChars(parsed: ParsedMail): boolean {
  return (
    (parsed.text ?? '').includes('\ufffd') ||
    (typeof parsed.html === 'string' && parsed.html.includes('\ufffd'))
  );
}

// Cyrillic bytes read as Latin-1 («Ïðîøó» for «Прошу»): a part labelled ASCII by a name the decoder maps so.
const LATIN1_RUN = /[\u00c0-\u00ff]{4}/;

function hasLatin1Runs(parsed: ParsedMail): boolean {
  return (
    LATIN1_RUN.test(parsed.text ?? '') || (typeof parsed.html === 'string' && LATIN1_RUN.test(parsed.html))
  );
}

/** The file a reply's quote of the earlier letters is kept in, beside the letter's own attachments. */
export const QUOTED_FILE_NAME = 'Цитата из переписки.txt';

/**
 * The quote file's identity (InboundAttachment.uniqueKey): its content's hash, whitespace runs made one space, so
 * an appeal keeps one copy of a quote that every reply of the citizen carries again (each «Re:» to our one answer)
 * whatever line ends or wrapping the client gave it.
 */
export function quoteKey(quoted: string): string {
  const normal = quoted.replace(/\s+/g, ' ').trim();
  return `email-quote:sha256:${createHash('sha256').update(normal, 'utf8').digest('hex')}`;
}

/** Longest subject an item carries; a longer one is cut, and the whole stands at the head of the text. */
export const MAX_INBOUND_SUBJECT_CHARS = 500;

const isSignature = (a: Attachment) =>
  /^application\/(?:x-)?pkcs7-signature$|^application\/pgp-signature$/i.test(a.contentType) ||
  /^smime\.p7s$/i.test(a.filename?.trim() ?? '');
/** An S/MIME part (RFC 8551): `application/pkcs7-mime` (old clients: `x-pkcs7-mime`), or a bare smime.p7m file. */
const isSmime = (a: Pick<Attachment, 'contentType' | 'filename'>) =>
  /^application\/(?:x-)?pkcs7-mime$/i.test(a.contentType) ||
  (/^application\/octet-stream$/i.test(a.contentType) && /\.p7m$/i.test(a.filename?.trim() ?? ''));
/** Header fields of the part itself, which the signed entity's own replace when a signed letter is opened. */
const PART_HEADER = /^content-(?:type|transfer-encoding|disposition|description|id|location)\s*:/i;
/** Signed content that is a MIME entity (a letter, a part): it starts with a header field of one. */
const isMimeEntity = (content: Buffer) =>
  /^(?:content-[a-z-]+|mime-version|from|to|subject|date|message-id|received|return-path)[ \t]*:/i.test(
    content.toString('latin1', 0, 100),
  );
/** How deep signed letters are opened (a letter signed, then signed again by a relay). */
const MAX_SIGNED_LAYERS = 3;

/**
 * A letter signed as a whole in one opaque S/MIME part (smime.p7m with signed-data; Outlook's and CryptoPro's
 * «подписать» without a detached signature): the letter's own headers with the signed MIME entity in place of the
 * part, to be read as the citizen wrote it, and the signed file, which stays with the appeal for a signature check.
 * Encrypted or unreadable parts are left as they are.
 */
function openSigned(raw: Buffer, parsed: ParsedMail): { raw: Buffer; signed: Attachment } | undefined {
  const [part, ...others] = parsed.attachments;
  const type = structured(parsed.headers, 'content-type').value;
  if (!part || others.length > 0 || type.startsWith('multipart/') || !isSmime(part)) return undefined;
  const opened = openSmime(part.content);
  if (opened.kind !== 'signed') return undefined;
  const head = raw.subarray(0, bodyOffset(raw)).toString('latin1');
  const fields = head.replace(/(?:\r?\n)+$/, '').split(/\r?\n(?![ \t])/);
  const kept = fields.filter((field) => !PART_HEADER.test(field));
  // The signed entity starts with its own header fields; a client that signed bare text gives none.
  const entity = isMimeEntity(opened.content)
    ? opened.content
    : Buffer.concat([Buffer.from('Content-Type: text/plain\r\n\r\n'), opened.content]);
  return { raw: Buffer.concat([Buffer.from(`${kept.join('\r\n')}\r\n`, 'latin1'), entity]), signed: part };
}

/**
 * A name for a part that has no filename or name parameter (an inline picture of an HTML letter, shown through
 * `cid:`): the last segment of its Content-Location (RFC 2557), else the Content-ID's left side when it is a file
 * name (Outlook: `<image001.png@01DA2B3C.4D5E6F70>`).
 */
function partFileName(a: Attachment): string | undefined {
  const location = a.headers?.get('content-location');
  if (typeof location === 'string') {
    const path = location.trim().replace(/[?#].*$/, '');
    const last = path.slice(path.lastIndexOf('/') + 1);
    let name = last;
    try {
      name = decodeURIComponent(last);
    } catch {
      // A stray «%» is the name as written.
    }
    if (!/^cid:/i.test(path) && /\.\w{1,8}$/.test(name)) return safeFileName(cleanText(name));
  }
  const id = a.contentId?.replace(/^<|>$/g, '').split('@')[0].trim();
  if (id && /^[^\\/:*?"<>|\s]{1,120}\.\w{1,8}$/.test(id)) return safeFileName(cleanText(id));
  return undefined;
}

/**
 * The document inside an attached signed file (CMS signed-data with its content, `name.pdf.p7m`), named as the file
 * without `.p7m`. A signed MIME entity (a signed letter forwarded) or anything unreadable gives nothing.
 */
function signedDocumentOf(a: Attachment): TnefFile | undefined {
  const opened = openSmime(a.content);
  if (opened.kind !== 'signed' || isMimeEntity(opened.content)) return undefined;
  const name = safeFileName(
    cleanText(a.filename)
      .trim()
      .replace(/\.p7m$/i, ''),
  );
  const fileName = /\.\w{1,8}$/.test(name) && !/^smime\./i.test(name) ? name : `${name || 'document'}.bin`;
  return { fileName, contentType: contentTypeOf(fileName), content: opened.content };
}

/** A calendar file: a meeting request's text/calendar part, or an .ics attached. */
const isCalendar = (a: Attachment) =>
  /^(?:text\/calendar|application\/ics)$/i.test(a.contentType) || /\.ics$/i.test(a.filename ?? '');
const isForwardedLetter = (contentType: string) => /^message\/(?:rfc822|global)$/i.test(contentType);
const isTnef = (a: Attachment) =>
  /^application\/(?:vnd\.)?ms-tnef$/i.test(a.contentType) || /^winmail\.dat$/i.test(a.filename?.trim() ?? '');
// A forwarded letter's text beyond this is left to its .eml file.
const MAX_FORWARDED_CHARS = 20_000;

/**
 * Lines for the text of the letter about what its attachments hold: a forwarded letter (attached as
 * message/rfc822, as Outlook, Thunderbird and mail.ru forward "as attachment") with its sender, subject and text;
 * a winmail.dat (Outlook's TNEF): the files taken out of it, or, when it could not be read, that the clerk may
 * have to ask for them again.
 */
/**
 * A forwarded letter's sender, subject and text. One whose text is empty and that forwards a letter in turn (an
 * official's answer forwarded on, then to us) says the letter inside it, down to MAX_FORWARD_DEPTH.
 */
async function forwardedNote(content: Buffer, depth: number): Promise<string> {
  try {
    const inner = await readMime(content);
    const from = firstAddress(inner.from);
    let body =
      (inner.text ?? '').replace(/\r\n?/g, '\n').trim() ||
      (typeof inner.html === 'string' ? textOfHtml(inner.html) : '');
    if (!body && depth + 1 < MAX_FORWARD_DEPTH) {
      const nested = inner.attachments.filter((a) => isForwardedLetter(a.contentType));
      body = (await Promise.all(nested.map((a) => forwardedNote(a.content, depth + 1)))).join('\n\n');
    }
    const head = [
      from ? `От: ${from.name ? `${from.name} <${from.address}>` : from.address}` : '',
      inner.subject?.trim() ? `Тема: ${inner.subject.trim()}` : '',
    ].filter(Boolean);
    return ['Пересланное письмо:', ...head, '', body.slice(0, MAX_FORWARDED_CHARS)].join('\n').trim();
  } catch {
    return 'Пересланное письмо во вложении не распознано.';
  }
}

/** How deep a forward of a forward is read into the text (the .eml files keep the rest). */
const MAX_FORWARD_DEPTH = 3;

async function attachmentNotes(
  attachments: Attachment[],
  unpacked: Map<Attachment, TnefFile[] | undefined>,
  opened: ReadonlySet<Attachment>,
): Promise<string[]> {
  const notes: string[] = [];
  for (const a of attachments) {
    if (isCalendar(a)) {
      // Outlook sends one invitation twice (the letter's text/calendar part and invite.ics): said once.
      const invite = calendarInviteText(a.content.toString('utf8'));
      if (invite && !notes.includes(invite)) notes.push(invite);
    } else if (isForwardedLetter(a.contentType)) {
      notes.push(await forwardedNote(a.content, 0));
    } else if (isSmime(a)) {
      const name = a.filename?.trim() || 'smime.p7m';
      const [document] = unpacked.get(a) ?? [];
      if (document)
        notes.push(
          `Вложение «${cleanText(name)}» подписано электронной подписью: подписанный документ извлечён как ` +
            `«${document.fileName}», файл с подписью сохранён во вложениях для её проверки.`,
        );
      else if (opened.has(a))
        notes.push(
          `Письмо подписано электронной подписью (S/MIME): текст и вложения прочитаны из подписанного файла «${name}», ` +
            'он сохранён во вложениях для проверки подписи.',
        );
      else if (openSmime(a.content).kind === 'encrypted')
        notes.push(
          `Письмо зашифровано (S/MIME) для сертификата получателя: его текст и вложения прочитать нельзя, файл «${name}» ` +
            'сохранён во вложениях. Попросите заявителя прислать письмо без шифрования или обратиться через другой канал.',
        );
      else
        notes.push(
          `Письмо подписано или зашифровано (S/MIME): его текст внутри вложения «${name}» ` +
            'не прочитан, откройте вложение средством электронной подписи.',
        );
    } else if (/^application\/pgp-encrypted$/i.test(a.contentType)) {
      // PGP/MIME (RFC 3156): the control part; the letter itself is the encrypted part beside it.
      notes.push(
        'Письмо зашифровано (PGP): его текст во вложении не прочитан. Попросите заявителя прислать письмо ' +
          'без шифрования или обратиться через другой канал.',
      );
    } else if (isTnef(a)) {
      const files = unpacked.get(a);
      if (files) {
        if (files.length)
          notes.push(
            `Из вложения «${a.filename?.trim() || 'winmail.dat'}» в формате Outlook (TNEF) извлечены файлы: ` +
              `${files.map((f) => `«${cleanText(f.fileName)}»`).join(', ')}.`,
          );
        continue;
      }
      notes.push(
        `Вложение «${a.filename?.trim() || 'winmail.dat'}» в формате Outlook (TNEF) не распознано: ` +
          'файлы внутри него могут быть недоступны, при необходимости запросите их у заявителя повторно.',
      );
    }
  }
  return notes;
}

/** The text of the first winmail.dat among the attachments that carries a body: RTF, HTML or plain. */
function tnefBodyText(attachments: Attachment[]): string {
  for (const a of attachments.filter(isTnef)) {
    const body = readTnefBody(a.content);
    if (!body) continue;
    const rtf = body.rtfCompressed ? decompressRtf(body.rtfCompressed) : undefined;
    const read = rtf ? textOfRtf(rtf) : undefined;
    const html = read && 'html' in read ? read.html : body.html;
    const text = (
      html !== undefined ? textOfHtml(html) : read && 'text' in read ? read.text : (body.text ?? '')
    )
      .replace(/\r\n?/g, '\n')
      .trim();
    if (text) return text;
  }
  return '';
}

/** How many parts, and how large a header, the MIME reader takes (mailsplit's limits, which guard the worker). */
const MAX_MIME_PARTS = 1000;
const MAX_MIME_HEADER_MB = 1;

/**
 * Why a letter could not be read as MIME, in words a clerk can act on. The reader's own limits are not a broken
 * letter: a letter of over a thousand parts (a mass mailing's thousand files, a machine's report, a letter built to
 * tie the worker up) or with a header past a megabyte is kept whole in the quarantine, for a person to open.
 */
function mimeFailureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const keptWhole =
    'Письмо не удалено: откройте исходное письмо (в карантине или в почтовом ящике) и, если это письмо ' +
    'гражданина, зарегистрируйте его вручную.';
  if (/child nodes/i.test(message))
    return `В письме больше ${MAX_MIME_PARTS} частей MIME (вложений и вложенных частей): столько система не разбирает. ${keptWhole}`;
  if (/header size/i.test(message))
    return `Заголовок письма или одной из его частей больше ${MAX_MIME_HEADER_MB} МБ: такой заголовок система не разбирает. ${keptWhole}`;
  return `Письмо не удалось разобрать: нарушена структура MIME (${message})`;
}

async function parse(raw: Buffer, ctx: ParseContext): Promise<ParsedEmail> {
  const fallbackId =
    ctx.uid !== undefined && ctx.uidValidity !== undefined
      ? `uid:${ctx.uidValidity}:${ctx.uid}`
      : `sha256:${createHash('sha256').update(raw).digest('hex')}`;

  if (raw.length === 0)
    return {
      kind: 'rejected',
      externalId: fallbackId,
      reason: 'Почтовый сервер отдал пустое письмо (0 байт)',
    };

  let parsed: ParsedMail;
  // The signed files the letter was opened from (the outermost first): kept among its attachments.
  const signedFiles: Attachment[] = [];
  try {
    parsed = await readMime(raw);
    for (let layer = 0; layer < MAX_SIGNED_LAYERS; layer += 1) {
      const opened = openSigned(raw, parsed);
      if (!opened) break;
      signedFiles.push(opened.signed);
      raw = opened.raw;
      parsed = await readMime(raw);
    }
  } catch (error) {
    return { kind: 'rejected', externalId: fallbackId, reason: mimeFailureReason(error) };
  }

  const messageId = normaliseMessageId(parsed.messageId);
  const externalId = messageId ?? fallbackId;
  // A letter without a usable From (a scanner, a broken form relay) is still answerable by its Reply-To or Sender.
  const from =
    firstAddress(parsed.from) ??
    firstAddress(parsed.replyTo) ??
    firstAddress(parsed.headers.get('sender') as AddressObject | undefined);
  const receivedAt = (
    validDate(ctx.receivedAt) ??
    headerDate(parsed, ctx.timeZone ?? DEFAULT_EMAIL_TIME_ZONE) ??
    ctx.now?.() ??
    new Date()
  ).toISOString();
  const ownDomain = ownMessageIdDomain(ctx.fromAddress);

  const bounce = bounceInfo(parsed, raw, from?.address);
  if (bounce) {
    const original = bounce.originalMessageId;
    const outboundId = original ? outboundIdOf(original, ctx.fromAddress) : undefined;
    if (!original || outboundId === undefined) {
      return {
        kind: 'rejected',
        externalId,
        reason: automaticLetterReason(bounce.receipt ? 'receipt-unrelated' : 'bounce-unrelated'),
      };
    }
    if (bounce.action === 'delayed') return { kind: 'skipped', externalId, reason: 'bounce-delayed' };
    return {
      kind: 'delivery-state',
      event: {
        kind: 'delivery-state',
        channel: Channel.Email,
        externalId,
        receivedAt,
        outboundMessageId: outboundId,
        remoteId: original,
        state: bounce.action,
        ...(bounce.reason ? { reason: bounce.reason.slice(0, 1000) } : {}),
      },
    };
  }

  const auto = autoReplyReason(parsed);
  if (auto) return { kind: 'rejected', externalId, reason: automaticLetterReason(auto.reason, auto.detail) };

  // Our own letter coming back (a copy to ourselves, a forwarding loop) is not a citizen's message.
  if (
    (messageId && messageId.toLowerCase().endsWith(`@${ownDomain}`)) ||
    (from && from.address.toLowerCase() === ctx.fromAddress.toLowerCase())
  ) {
    return { kind: 'skipped', externalId, reason: 'own-message' };
  }

  if (isMassMailing(parsed, ctx.fromAddress))
    return { kind: 'rejected', externalId, reason: MASS_MAILING_REASON };
  if (hasBulkPrecedence(parsed)) return { kind: 'rejected', externalId, reason: BULK_PRECEDENCE_REASON };

  if (!from) return { kind: 'rejected', externalId, reason: NO_SENDER_REASON };
  const author = authorOf(from, firstAddress(parsed.replyTo));
  const contentType = structured(parsed.headers, 'content-type');
  if (contentType.value.startsWith('multipart/') && !contentType.params.boundary) {
    return {
      kind: 'rejected',
      externalId,
      reason: `Письмо не удалось разобрать: составное письмо (${contentType.value}) без границы частей (boundary)`,
    };
  }

  const html = typeof parsed.html === 'string' && parsed.html.trim() ? parsed.html : undefined;
  const plainText = (parsed.text ?? '').replace(/\r\n?/g, '\n').trim();
  // An HTML-only body: its text for the appeal, the HTML itself kept as a file beside the others.
  const htmlOnly = !plainText && html !== undefined;
  const attachments = [...parsed.attachments, ...signedFiles.slice(0, 1)] as MailParserAttachment[];
  // A letter Outlook sent in rich text: no text part of its own, its words in winmail.dat's body.
  const bodyText = plainText || (html === undefined ? tnefBodyText(attachments) : '');
  // Files uuencoded into the text come out of it as attachments of their own.
  const uuencoded = htmlOnly ? { text: textOfHtml(html), files: [] } : extractUuencoded(bodyText);
  // A reply carries our letter below the citizen's words: the words are the text, the quote is kept as a file.
  const namesAnotherLetter =
    messageIdList(parsed.inReplyTo).length + messageIdList(parsed.references).length > 0;
  const reply = splitQuotedReply(uuencoded.text, {
    isReply: isReplyLetter(parsed.subject, namesAnotherLetter),
  });
  const ownText = reply.text;
  const quoteNote = reply.quoted
    ? `Цитата предыдущей переписки из письма сохранена во вложении «${QUOTED_FILE_NAME}».`
    : '';
  // Files Outlook packed into winmail.dat come out of it as attachments of their own; the .dat stays beside them.
  const unpacked = new Map<Attachment, TnefFile[] | undefined>(
    attachments.filter(isTnef).map((a) => [a, readTnefFiles(a.content)]),
  );
  // A document signed with its signature attached (КриптоПро's «Заявление.pdf.p7m»): the document comes out of it.
  for (const a of attachments.filter((a) => isSmime(a) && !signedFiles.includes(a))) {
    const document = signedDocumentOf(a);
    if (document) unpacked.set(a, [document]);
  }
  // What the attachments say that a clerk would otherwise not see: forwarded letters, Outlook's winmail.dat.
  const notes = await attachmentNotes(attachments, unpacked, new Set(signedFiles));
  // NUL (text and jsonb refuse it: one such letter would stop the mailbox's intake) and lone surrogates out.
  const text = cleanText([ownText, quoteNote, ...notes].filter(Boolean).join('\n\n'));
  const bodyIsEmpty = raw.subarray(bodyOffset(raw)).toString('latin1').trim() === '';
  if (!text && !parsed.html && attachments.length === 0 && uuencoded.files.length === 0 && !bodyIsEmpty) {
    return { kind: 'rejected', externalId, reason: 'Текст письма не удалось раскодировать' };
  }
  const fullSubject =
    cleanText(readable(parsed, 'subject', parsed.subject))
      .replace(/\s+/g, ' ')
      .trim() || undefined;
  // A subject pasted full of the letter (thousands of characters) fills the inbox's line and the card's title:
  // cut for the subject, kept whole at the head of the text.
  const subject =
    fullSubject && fullSubject.length > MAX_INBOUND_SUBJECT_CHARS
      ? `${fullSubject.slice(0, MAX_INBOUND_SUBJECT_CHARS - 1).replace(/\s+\S*$/, '')}…`
      : fullSubject;
  // A detached signature (S/MIME smime.p7s, PGP signature.asc) only signs the letter: a letter with nothing else
  // is as empty as one without it, and its signature must not stand as the appeal's only content.
  const contentFiles = attachments.filter((a) => !isSignature(a)).length + uuencoded.files.length;
  if (!text && contentFiles === 0 && !subject)
    return { kind: 'rejected', externalId, reason: EMPTY_LETTER_REASON };
  // Only the signature a mail app adds by itself («Отправлено с iPhone»): sent by mistake, or the files it was
  // meant to carry did not attach. Nothing to register; kept for staff with the reason, never an empty appeal.
  if (isAppSignatureOnly(text) && contentFiles === 0 && !subject)
    return { kind: 'rejected', externalId, reason: APP_SIGNATURE_ONLY_REASON };

  const inboundAttachments: InboundAttachment[] = [];
  const omitted: string[] = [];
  attachments.forEach((a, index) => {
    const size = a.size ?? a.content.length;
    const contentType = (a.contentType || 'application/octet-stream').toLowerCase();
    // The name as the sender's program gave it, less what could mislead a clerk or a disk: folders («../»), control
    // and bidi characters («Заявление\u202Efdp.exe» shows as «…exe.pdf»).
    const fileName =
      safeFileName(cleanText(a.filename)) ||
      partFileName(a) ||
      (isForwardedLetter(contentType)
        ? `forwarded-${index + 1}.eml`
        : `attachment-${index + 1}.${extensionFor(contentType)}`);
    if (size > ctx.maxAttachmentBytes) {
      const canFetch =
        a.partId && ctx.mailbox !== undefined && ctx.uid !== undefined && ctx.uidValidity !== undefined;
      inboundAttachments.push({
        fileName,
        contentType,
        size,
        ...(canFetch
          ? { remoteRef: attachmentRef(ctx.mailbox!, ctx.uidValidity!, ctx.uid!, a.partId!) }
          : {}),
      });
      omitted.push(`«${fileName}» (${formatMb(size)} МБ)`);
      return;
    }
    inboundAttachments.push({ fileName, contentType, size, contentBase64: a.content.toString('base64') });
  });
  for (const file of [...unpacked.values()].flat()) {
    if (!file) continue;
    const fileName = safeFileName(cleanText(file.fileName)) || 'attachment.bin';
    const contentType = file.contentType ?? 'application/octet-stream';
    if (file.content.length > ctx.maxAttachmentBytes) {
      // Inside winmail.dat or a signed file, which stays in the mailbox: the file is named, its bytes not loaded.
      inboundAttachments.push({ fileName, contentType, size: file.content.length });
      omitted.push(`«${fileName}» (${formatMb(file.content.length)} МБ)`);
      continue;
    }
    inboundAttachments.push({
      fileName,
      contentType,
      size: file.content.length,
      contentBase64: file.content.toString('base64'),
    });
  }
  for (const file of uuencoded.files) {
    inboundAttachments.push({
      fileName: safeFileName(cleanText(file.fileName)) || 'attachment.bin',
      contentType: 'application/octet-stream',
      size: file.content.length,
      contentBase64: file.content.toString('base64'),
    });
  }
  if (reply.quoted) {
    const quoted = cleanText(reply.quoted);
    const bytes = Buffer.from(quoted, 'utf8');
    inboundAttachments.push({
      fileName: QUOTED_FILE_NAME,
      contentType: 'text/plain',
      size: bytes.length,
      contentBase64: bytes.toString('base64'),
      uniqueKey: quoteKey(quoted),
    });
  }
  if (htmlOnly) {
    const bytes = Buffer.from(html, 'utf8');
    inboundAttachments.push({
      fileName: 'letter.html',
      contentType: 'text/html',
      size: bytes.length,
      contentBase64: bytes.toString('base64'),
    });
  }

  const features: Record<string, string> = {};
  if (ctx.policy547 === 'message-with-notice') features.notice547 = 'yes';
  if (omitted.length) {
    features.attachmentsNotInline = String(omitted.length);
    features.attachmentsNote =
      `Вложения больше ${formatMb(ctx.maxAttachmentBytes)} МБ не загружены в систему и остались ` +
      `в почтовом ящике: ${omitted.join(', ')}`;
  }

  const refersTo = [...messageIdList(parsed.inReplyTo), ...messageIdList(parsed.references)]
    .filter((id, i, all) => id !== messageId && all.indexOf(id) === i)
    .map(emailThreadKey);
  const replyTo = firstAddress(parsed.replyTo) ?? from;
  const references = messageIdList(parsed.references).filter((id) => id !== messageId);
  // «Re: … [№ 2026-000123]»: the appeal it answers when the client dropped In-Reply-To and References.
  const registrationNumber = registrationNumberOfReply(fullSubject);

  // A letter whose words are all in its Subject (a one-line question from a phone, a photo titled «Яма у дома 5»):
  // the subject is its text too, or the appeal would carry no words to read, route or answer.
  // A letter's body can be any length (a pasted document, a log, an image's base64 left in the text): past
  // APPEAL_TEXT_MAX its beginning is the appeal's text and the whole of it a file beside, or the appeal could not be
  // registered (no search vector for it).
  const clipped = clipLongText(
    (subject !== fullSubject && text ? `Тема письма: ${fullSubject}\n\n${text}` : text) ||
      (fullSubject ?? ''),
  );
  if (clipped.file) inboundAttachments.unshift(clipped.file);

  const item: InboundItem = {
    channel: Channel.Email,
    externalId,
    receivedAt,
    regime: ctx.policy547 === 'appeal' ? 'appeal' : 'message',
    author: {
      externalId: author.address.toLowerCase(),
      ...(author.name
        ? { displayName: author.relayed ? author.name : readableName(parsed, author.name) }
        : {}),
      email: author.address,
    },
    ...(subject ? { subject } : {}),
    text: clipped.text,
    ...(inboundAttachments.length ? { attachments: inboundAttachments } : {}),
    thread: {
      key: emailThreadKey(externalId),
      ...(refersTo.length ? { refersTo } : {}),
      ...(registrationNumber ? { registrationNumber } : {}),
    },
    replyAddress: {
      to: replyTo.address,
      ...(replyTo.name ? { toName: replyTo.name } : {}),
      ...(messageId ? { messageId } : {}),
      references: messageId ? [...references, messageId] : references,
      ...(subject ? { subject } : {}),
    },
    ...(Object.keys(features).length ? { features } : {}),
  };
  return { kind: 'item', item };
}
