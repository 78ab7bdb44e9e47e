import {
  Channel,
  type InboundAttachment,
  type InboundItem,
  isEmojiOnly,
  instantMsOf,
  isWritableInstant,
} from '@inbox/integrations/contract';
import {
  cleanText,
  contentTypeOf,
  isRecord,
  safeFileName,
  unreadAttachmentLine,
} from '@inbox/integrations/contract';

/*
 * OK Bot API webhook messages → inbound items. The documented plain-text message is
 * { sender: { user_id }, recipient: { chat_id }, message: { text, seq, mid, attachments? }, timestamp (ms) }; the
 * event type, when present, is in `webhookType` (or `type`). Pure functions, no I/O.
 */

export interface ParsedWebhook {
  items: InboundItem[];
  problem?: string;
  /** Read and left out on purpose (another event type, a sticker alone): the connector logs it, never content. */
  skipped?: string;
}

/** OK ids come as `chat:<id>`; the thread key is `chat:<id>` whether or not the prefix was there. */
export function chatThreadKey(chatId: string): string {
  return chatId.startsWith('chat:') ? chatId : `chat:${chatId}`;
}

/** A message the group sent into a chat (its `mid`): a citizen's reply to it names this key. */
export function sentThreadKey(chatId: string, mid: string): string {
  return `sent:${chatThreadKey(chatId)}:${mid}`;
}

/**
 * The message a reply answers. OK's message object names it in `reply_to` — the replied message's `mid`, as a
 * string or as `{ mid }` (both forms are read; no public sample shows a reply yet).
 */
export function repliedMid(message: Record<string, unknown>): string | undefined {
  const to = message.reply_to ?? message.replyTo;
  const mid = isRecord(to) ? to.mid : to;
  return typeof mid === 'string' && mid !== '' ? mid : undefined;
}

const TYPES: Record<string, string> = {
  IMAGE: 'image/jpeg',
  VIDEO: 'video/mp4',
  AUDIO: 'audio/mpeg',
  FILE: 'application/octet-stream',
};

/** The keyboard under a message: nothing the citizen sent. */
const KEYBOARDS = new Set(['INLINE_KEYBOARD', 'KEYBOARD']);
/** A gesture, no content of its own (said by name only when a message has nothing else to say). */
const REACTIONS: Record<string, OkReaction> = { STICKER: 'sticker', PRESENT: 'gift' };
const REACTION_LABEL: Record<OkReaction, string> = { sticker: 'Стикер', gift: 'Подарок в Одноклассниках' };
type OkReaction = 'sticker' | 'gift';

function attachmentList(message: Record<string, unknown>): unknown[] {
  // A list as documented; one attachment object alone (under either name) is a list of one, not nothing.
  const given = message.attachments ?? message.attachment;
  return Array.isArray(given) ? given : isRecord(given) ? [given] : [];
}

/**
 * What the attachments say that is not a file: a shared link not already in the text, a place, a contact, and
 * «Вложение не распознано» for a type we do not know or a file without its URL, so a clerk knows something came.
 */
export function attachmentLines(
  message: Record<string, unknown>,
  text: string,
): {
  lines: string[];
  place?: string;
  /** Only stickers or presents (a keyboard beside them aside): a reaction, left out under this name. */
  reactionOnly?: OkReaction;
  /** The stickers and presents that came, in Russian: what the citizen sent when there are no words to show. */
  reactions: string[];
} {
  const lines: string[] = [];
  let place: string | undefined;
  const reactions: OkReaction[] = [];
  let content = 0;
  const list = attachmentList(message);
  for (const attachment of list) {
    if (!isRecord(attachment) || typeof attachment.type !== 'string') continue;
    const type = attachment.type.toUpperCase();
    const payload = isRecord(attachment.payload) ? attachment.payload : {};
    if (KEYBOARDS.has(type)) continue;
    content += 1;
    if (Object.hasOwn(REACTIONS, type)) {
      reactions.push(REACTIONS[type]);
    } else if (TYPES[type]) {
      if (typeof payload.url !== 'string' || payload.url === '')
        lines.push(`Вложение не распознано (${type.toLowerCase()} без ссылки)`);
    } else if (type === 'SHARE') {
      const url = cleanText(payload.url);
      if (url && !text.includes(url)) lines.push(`Ссылка: ${url}`);
    } else if (type === 'LOCATION') {
      const lat = Number(payload.latitude);
      const lon = Number(payload.longitude);
      if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place = `${lat},${lon}`;
        lines.push(`Геопозиция: ${place}`);
      } else lines.push('Вложение не распознано (геопозиция без координат)');
    } else if (type === 'MUSIC') {
      // A track from OK's music: its name, for the clerk (a song sent by way of a complaint about noise).
      const name = [cleanText(payload.artist), cleanText(payload.title ?? payload.name)].filter(Boolean);
      lines.push(`Музыка${name.length > 0 ? `: ${name.join(' — ')}` : ''}`);
    } else if (type === 'CALL') {
      // The note of a call the citizen made to the group (OK puts it in the chat): the clerk knows they tried.
      lines.push('Звонок в Одноклассниках (звонки не принимаются, ответьте в переписке)');
    } else if (type === 'CONTACT') {
      const name = cleanText(payload.name);
      const phone = cleanText(payload.phone ?? payload.phone_number);
      lines.push(`Контакт: ${[name, phone].filter(Boolean).join(', ') || 'без данных'}`);
    } else {
      lines.push(unreadAttachmentLine(type));
    }
  }
  // A present is no sticker: the log says which came (a present among stickers is a present).
  const reactionOnly =
    reactions.length > 0 && reactions.length === content
      ? reactions.includes('gift')
        ? 'gift'
        : 'sticker'
      : undefined;
  return {
    lines,
    ...(place ? { place } : {}),
    ...(reactionOnly ? { reactionOnly } : {}),
    reactions: [...new Set(reactions)].map((kind) => REACTION_LABEL[kind]),
  };
}

/** Files by URL (fetchAttachment downloads them later). SHARE (a link), keyboards, contacts and stickers are not files. */
export function attachmentsOf(message: Record<string, unknown>): InboundAttachment[] {
  const out: InboundAttachment[] = [];
  for (const [index, attachment] of attachmentList(message).entries()) {
    if (!isRecord(attachment) || typeof attachment.type !== 'string' || !isRecord(attachment.payload))
      continue;
    // Matched as attachmentLines matches it (upper case): a type in another case is a file all the same, not
    // one that neither the files nor the lines mention.
    const type = attachment.type.toUpperCase();
    const contentType = TYPES[type];
    const url = attachment.payload.url;
    if (!contentType || typeof url !== 'string' || url === '') continue;
    const named = safeFileName(cleanText(attachment.payload.name ?? attachment.payload.title));
    const ext = type === 'IMAGE' ? '.jpg' : type === 'VIDEO' ? '.mp4' : type === 'AUDIO' ? '.mp3' : '';
    const size = Number(attachment.payload.size);
    const fileName = named || `${type.toLowerCase()}-${index + 1}${ext}`;
    out.push({
      fileName,
      // A file says what it is by its name («Заявление.pdf»); OK gives no type of its own.
      contentType: type === 'FILE' ? contentTypeOf(fileName) : contentType,
      remoteRef: url,
      ...(Number.isSafeInteger(size) && size > 0 ? { size } : {}),
    });
  }
  return out;
}

/**
 * What GET /me/chat/<chat_id> (graph.user.chat) says a chat is. A webhook message itself does not tell: it carries
 * `sender.user_id` and `recipient.chat_id` (`chat:…` for every kind of chat) and nothing else about the chat. The
 * answer names a `type` (GROUP_CHAT, DIALOG, CHAT) and the `participants` (`user:…` keys): a chat where more than one
 * person writes (type CHAT, or several users) is 'multi-user' — its messages are not one citizen's private dialogue.
 */
export function okChatKind(info: unknown): 'private' | 'multi-user' {
  if (!isRecord(info)) return 'private';
  if (info.type === 'CHAT') return 'multi-user';
  const participants = isRecord(info.participants) ? Object.keys(info.participants) : [];
  return participants.filter((p) => p.startsWith('user:')).length > 1 ? 'multi-user' : 'private';
}

/** An id as OK writes it (`user:…`, `chat:…`), or a bare number some bodies carry, as a string. */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
}

/** `<kind>:<id>` for an id OK gave bare (digits, or a chat id without its prefix). */
function prefixed(kind: 'user' | 'chat', id: string | undefined): string | undefined {
  return id === undefined || id === '' || id.includes(':') ? id : `${kind}:${id}`;
}

export function parseOkWebhook(body: unknown): ParsedWebhook {
  if (!isRecord(body)) return { items: [], problem: 'webhook body is not an object' };
  const type = body.webhookType ?? body.type;
  // Only new messages are items; chat system events, button callbacks and unknown types yield nothing, logged.
  if (type !== undefined && type !== 'MESSAGE_CREATED') {
    const kind = typeof type === 'string' && /^[A-Za-z_]{1,40}$/.test(type) ? type : 'unknown';
    return { items: [], skipped: `webhook-type:${kind}` };
  }
  if (!isRecord(body.message)) {
    return type === 'MESSAGE_CREATED'
      ? { items: [], problem: 'MESSAGE_CREATED without a message' }
      : { items: [], skipped: 'no-message' };
  }
  const message = body.message;
  // OK documents `user:<id>` and `chat:<id>`; a bare number some bodies carry is the same id: written the documented
  // way, so a citizen is one applicant whichever form came (the wall's authors are `user:<id>` too), and the chat
  // is one OK's messages endpoint takes.
  const userId = prefixed('user', idOf(isRecord(body.sender) ? body.sender.user_id : undefined));
  const chatId = prefixed('chat', idOf(isRecord(body.recipient) ? body.recipient.chat_id : undefined));
  // A mid OK gave as a bare number is the same id, as a sender's or a chat's is.
  const mid = idOf(message.mid);
  if (typeof userId !== 'string' || userId === '' || typeof chatId !== 'string' || chatId === '') {
    return { items: [], problem: 'message without sender.user_id or recipient.chat_id' };
  }
  if (typeof mid !== 'string' || mid === '') return { items: [], problem: 'message without mid' };
  // OK stamps in milliseconds; a stamp in seconds (ten digits) would otherwise be a day in January 1970. A relay that
  // wrote it as ISO 8601 («2026-12-07T10:00:00+03:00») names the same instant.
  const stamp = Number(body.timestamp);
  const timestamp =
    typeof body.timestamp === 'string' && Number.isNaN(stamp)
      ? (instantMsOf(body.timestamp, '+03:00') ?? NaN)
      : stamp > 0 && stamp < 1e11
        ? stamp * 1000
        : stamp;
  const name = isRecord(body.sender) ? cleanText(body.sender.name) : '';
  const thread = { key: chatThreadKey(chatId) };
  // A reply to one of the group's messages (an answer, a notice) names it: it joins that message's appeal.
  const repliedTo = repliedMid(message);
  const written = cleanText(message.text);
  const attachments = attachmentsOf(message);
  const extra = attachmentLines(message, written);
  if (!written && attachments.length === 0 && extra.reactionOnly)
    return { items: [], skipped: extra.reactionOnly };
  // Emoji alone («👍», «🙏🙏») are a reaction to an answer or a notice, as a sticker is.
  if (attachments.length === 0 && extra.lines.length === 0 && isEmojiOnly(written))
    return { items: [], skipped: 'emoji' };
  // Nothing we can read (an empty message, a type OK adds later): a clerk still sees that it came.
  // A present or sticker beside a photo and no words: said, so the clerk does not read an empty message.
  const text =
    [written, ...extra.lines].filter(Boolean).join('\n') ||
    extra.reactions.join('\n') ||
    (attachments.length === 0 ? 'Сообщение не распознано. Откройте диалог в Одноклассниках.' : '');
  const item: InboundItem = {
    channel: Channel.Ok,
    externalId: mid,
    receivedAt:
      // A stamp past the year 9999 is none (no Date holds 9e15 ms: its toISOString threw a RangeError).
      timestamp > 0 && isWritableInstant(timestamp)
        ? new Date(timestamp).toISOString()
        : new Date().toISOString(),
    regime: 'message',
    author: { externalId: userId, ...(name ? { displayName: name } : {}) },
    text,
    attachments,
    ...(extra.place ? { address: extra.place } : {}),
    thread: repliedTo ? { ...thread, refersTo: [sentThreadKey(chatId, repliedTo)] } : thread,
    replyAddress: { chatId },
    features: { source: 'messages', ...(extra.place ? { location: extra.place } : {}) },
  };
  return { items: [item] };
}
