import {
  Channel,
  ConnectorError,
  ConnectorErrorCode,
  type InboundAttachment,
  type InboundEvent,
  type InboundItem,
} from '@inbox/integrations/contract';
import { isRecord } from '@inbox/integrations/contract';
import { interpretPayload } from './vk-keyboard';

/*
 * VK events (Callback API bodies and Bots Long Poll updates share one shape: { type, object, group_id, event_id? })
 * turned into inbound items and events. Pure functions: no I/O, no clock except as a fallback for a missing date.
 */

export interface ParsedEvents {
  items: InboundItem[];
  events: InboundEvent[];
  /** Set when a known event type is missing what we need; the caller decides to skip or reject. */
  problem?: string;
  /** Set when the event is read and left out on purpose (a group chat): the caller logs it. */
  skipped?: string;
}

/** VK numbers group chats from 2 000 000 000 (peer_id = 2e9 + chat_id); below are dialogues with one person. */
export const VK_CHAT_PEER_BASE = 2_000_000_000;

const EMPTY: ParsedEvents = { items: [], events: [] };

/** Event types we turn into something; every other type (message_reply, group_join, …) yields nothing. */
export const HANDLED_EVENT_TYPES = [
  'message_new',
  'message_edit',
  'message_event',
  'wall_post_new',
  'wall_reply_new',
] as const;

/**
 * Accepts the body as the HTTP layer kept it (raw Buffer, string or parsed JSON). Tolerates a UTF-8 BOM and invalid
 * UTF-8 (replaced with U+FFFD): VK bodies with broken emoji are real.
 */
export function decodeJsonBody(body: unknown): unknown {
  if (body === undefined || body === null) {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'empty body', { fields: { body: 'empty' } });
  }
  let text: string;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) text = new TextDecoder('utf-8').decode(body);
  else if (typeof body === 'string') text = body;
  else return body;
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'body is not JSON', {
      fields: { body: 'not JSON' },
    });
  }
}

/** Lone UTF-16 surrogates (a half emoji escaped as \ud83d) become U+FFFD; NUL is dropped (Postgres text refuses it). */
export function cleanText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replaceAll('\u0000', '')
    .normalize('NFC');
}

function int(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

function isoFromUnix(seconds: unknown): string {
  const n = int(seconds);
  return n !== undefined && n > 0 ? new Date(n * 1000).toISOString() : new Date().toISOString();
}

const DOC_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  txt: 'text/plain',
  odt: 'application/vnd.oasis.opendocument.text',
  rtf: 'application/rtf',
  zip: 'application/zip',
};

/** VK photo size letters from smallest to largest, for old photos that carry no width/height. */
const SIZE_ORDER = 'smxopqryzw';

function largestPhotoUrl(sizes: unknown): string | undefined {
  if (!Array.isArray(sizes)) return undefined;
  let best: { url: string; area: number; rank: number } | undefined;
  for (const size of sizes) {
    if (!isRecord(size) || typeof size.url !== 'string' || size.url === '') continue;
    const area = (int(size.width) ?? 0) * (int(size.height) ?? 0);
    const rank = typeof size.type === 'string' ? SIZE_ORDER.indexOf(size.type) : -1;
    if (!best || area > best.area || (area === best.area && rank > best.rank))
      best = { url: size.url, area, rank };
  }
  return best?.url;
}

/** Photos (largest size) and documents, by URL: fetchAttachment downloads them later. */
export function attachmentsOf(raw: unknown): InboundAttachment[] {
  if (!Array.isArray(raw)) return [];
  const out: InboundAttachment[] = [];
  for (const attachment of raw) {
    if (!isRecord(attachment)) continue;
    if (attachment.type === 'photo' && isRecord(attachment.photo)) {
      const url = largestPhotoUrl(attachment.photo.sizes);
      if (!url) continue;
      const name = `photo${int(attachment.photo.owner_id) ?? ''}_${int(attachment.photo.id) ?? out.length}.jpg`;
      out.push({ fileName: name, contentType: 'image/jpeg', remoteRef: url });
    } else if (
      attachment.type === 'doc' &&
      isRecord(attachment.doc) &&
      typeof attachment.doc.url === 'string'
    ) {
      const ext = typeof attachment.doc.ext === 'string' ? attachment.doc.ext.toLowerCase() : '';
      let fileName = cleanText(attachment.doc.title) || `doc${int(attachment.doc.id) ?? out.length}`;
      if (ext && !fileName.toLowerCase().endsWith(`.${ext}`)) fileName = `${fileName}.${ext}`;
      out.push({
        fileName,
        contentType: DOC_TYPES[ext] ?? 'application/octet-stream',
        remoteRef: attachment.doc.url,
        size: int(attachment.doc.size),
      });
    }
  }
  return out;
}

/** Thread keys (documented for the core): `peer:<peer_id>` for dialogues, `post:<owner>_<post>` for a wall post. */
export const threadKeys = {
  peer: (peerId: number) => `peer:${peerId}`,
  post: (ownerId: number, postId: number) => `post:${ownerId}_${postId}`,
  /** One author's comments under one post: different citizens commenting on the same news post stay apart. */
  postAuthor: (ownerId: number, postId: number, fromId: number) => `post:${ownerId}_${postId}/from:${fromId}`,
  /** A message the community sent in a dialogue (its message id): a citizen's reply to it names this key. */
  sent: (peerId: number | string, messageId: number | string) => `sent:${peerId}:${messageId}`,
};

export interface EventContext {
  groupId: number;
}

export function parseVkEvent(raw: unknown, ctx: EventContext): ParsedEvents {
  if (!isRecord(raw) || typeof raw.type !== 'string') return { ...EMPTY, problem: 'event without a type' };
  const object = raw.object;
  switch (raw.type) {
    case 'message_new':
      return messageNew(object);
    case 'message_edit':
      return messageEdit(object);
    case 'message_event':
      return messageEvent(object);
    case 'wall_post_new':
      return wallPostNew(object, ctx);
    case 'wall_reply_new':
      return wallReplyNew(object, ctx);
    default:
      return EMPTY;
  }
}

function messageNew(object: unknown): ParsedEvents {
  // Since API 5.103 the object is { message, client_info }; older bodies carry the message itself.
  const message = isRecord(object) ? (isRecord(object.message) ? object.message : object) : undefined;
  if (!message) return { ...EMPTY, problem: 'message_new without a message' };
  const peerId = int(message.peer_id);
  const fromId = int(message.from_id);
  const localId = int(message.conversation_message_id) || int(message.id);
  if (!peerId || !fromId || !localId)
    return { ...EMPTY, problem: 'message_new without peer_id, from_id or id' };
  // A group chat the community was added to is not a citizen's dialogue with us: no consent request, no appeal.
  if (peerId >= VK_CHAT_PEER_BASE) return { ...EMPTY, skipped: 'group-chat' };
  // Chat service messages (someone joined, the title changed) are not citizens' words.
  if (isRecord(message.action)) return EMPTY;
  // Our own outgoing copies (out = 1) and other communities are not citizens either.
  if (int(message.out) === 1 || fromId < 0) return EMPTY;
  const receivedAt = isoFromUnix(message.date);
  const author = { externalId: String(fromId) };
  const thread = { key: threadKeys.peer(peerId) };
  const replyAddress = { peerId };
  // A reply to one of the community's messages (an answer, a notice) names it: it joins that message's appeal.
  const repliedTo = isRecord(message.reply_message) ? int(message.reply_message.id) : undefined;
  const itemThread = repliedTo ? { ...thread, refersTo: [threadKeys.sent(peerId, repliedTo)] } : thread;

  const meaning = interpretPayload(message.payload);
  if (meaning) {
    if (meaning.kind === 'rating') {
      return {
        items: [],
        events: [
          {
            kind: 'rating',
            channel: Channel.Vk,
            externalId: `rate:${peerId}:${localId}`,
            receivedAt,
            target: { registrationNumber: meaning.registrationNumber, threadKey: thread.key },
            answered: meaning.answered,
            satisfaction: meaning.satisfaction,
            author,
            replyAddress,
          },
        ],
      };
    }
    return {
      items: [],
      events: [
        {
          kind: 'interaction',
          channel: Channel.Vk,
          externalId: `btn:${peerId}:${localId}`,
          receivedAt,
          author,
          thread,
          replyAddress,
          action: meaning.kind === 'start' ? 'start' : 'button',
          value: meaning.kind === 'button' ? meaning.value : undefined,
        },
      ],
    };
  }

  const item: InboundItem = {
    channel: Channel.Vk,
    externalId: `msg:${peerId}:${localId}`,
    receivedAt,
    regime: 'message',
    author,
    text: cleanText(message.text),
    attachments: attachmentsOf(message.attachments),
    thread: itemThread,
    replyAddress,
    features: { source: 'messages' },
  };
  return { items: [item], events: [] };
}

/**
 * A message edited in a dialogue. The community's own edits (out = 1) are ours; a citizen's edit is the new
 * wording as an item of its own, marked as the correction of the message it edits (as Telegram's edits are).
 */
function messageEdit(object: unknown): ParsedEvents {
  const message = isRecord(object) ? (isRecord(object.message) ? object.message : object) : undefined;
  if (!message) return { ...EMPTY, problem: 'message_edit without a message' };
  const peerId = int(message.peer_id);
  const fromId = int(message.from_id);
  const localId = int(message.conversation_message_id) || int(message.id);
  if (!peerId || !fromId || !localId)
    return { ...EMPTY, problem: 'message_edit without peer_id, from_id or id' };
  if (peerId >= VK_CHAT_PEER_BASE) return { ...EMPTY, skipped: 'group-chat' };
  if (int(message.out) === 1 || fromId < 0) return EMPTY;
  const editedAt = int(message.update_time);
  const original = `msg:${peerId}:${localId}`;
  const item: InboundItem = {
    channel: Channel.Vk,
    externalId: `${original}:edit:${editedAt ?? int(message.date) ?? 0}`,
    receivedAt: isoFromUnix(editedAt ?? message.date),
    regime: 'message',
    author: { externalId: String(fromId) },
    text: cleanText(message.text),
    attachments: attachmentsOf(message.attachments),
    thread: { key: threadKeys.peer(peerId) },
    replyAddress: { peerId },
    features: { source: 'messages', correctionOf: original },
  };
  return { items: [item], events: [] };
}

/** A callback-button press (buttons with type "callback"); VK expects messages.sendMessageEventAnswer for it. */
function messageEvent(object: unknown): ParsedEvents {
  if (!isRecord(object)) return { ...EMPTY, problem: 'message_event without an object' };
  const peerId = int(object.peer_id);
  const userId = int(object.user_id);
  const eventId = typeof object.event_id === 'string' ? object.event_id : undefined;
  if (!peerId || !userId || !eventId)
    return { ...EMPTY, problem: 'message_event without peer_id, user_id or event_id' };
  if (peerId >= VK_CHAT_PEER_BASE) return { ...EMPTY, skipped: 'group-chat' };
  const receivedAt = new Date().toISOString();
  const author = { externalId: String(userId) };
  const thread = { key: threadKeys.peer(peerId) };
  const meaning = interpretPayload(object.payload) ?? { kind: 'button' as const, value: '' };
  if (meaning.kind === 'rating') {
    return {
      items: [],
      events: [
        {
          kind: 'rating',
          channel: Channel.Vk,
          externalId: `rate:event:${eventId}`,
          receivedAt,
          target: { registrationNumber: meaning.registrationNumber, threadKey: thread.key },
          answered: meaning.answered,
          satisfaction: meaning.satisfaction,
          author,
          callbackId: eventId,
          replyAddress: { peerId, userId, eventId },
        },
      ],
    };
  }
  return {
    items: [],
    events: [
      {
        kind: 'interaction',
        channel: Channel.Vk,
        externalId: `event:${eventId}`,
        receivedAt,
        author,
        thread,
        replyAddress: { peerId, userId, eventId },
        action: meaning.kind === 'start' ? 'start' : 'button',
        value: meaning.kind === 'button' ? meaning.value : undefined,
        callbackId: eventId,
      },
    ],
  };
}

/**
 * A citizen's post on the community wall: an open-source message (incident), handled under 8-ФЗ, not a 59-ФЗ
 * appeal. Posts by the community itself (from_id < 0) are our own news and are skipped.
 */
function wallPostNew(object: unknown, ctx: EventContext): ParsedEvents {
  if (!isRecord(object)) return { ...EMPTY, problem: 'wall_post_new without an object' };
  const postId = int(object.id);
  const ownerId = int(object.owner_id) ?? -ctx.groupId;
  const fromId = int(object.from_id);
  if (!postId || !fromId) return { ...EMPTY, problem: 'wall_post_new without id or from_id' };
  if (fromId < 0) return EMPTY;
  const suggested = object.post_type === 'suggest';
  const item: InboundItem = {
    channel: Channel.Vk,
    externalId: `wall:${ownerId}_${postId}`,
    receivedAt: isoFromUnix(object.date),
    regime: 'message',
    author: { externalId: String(fromId) },
    text: cleanText(object.text),
    attachments: attachmentsOf(object.attachments),
    thread: { key: threadKeys.post(ownerId, postId) },
    // A suggested post is not published, so it cannot be commented on: answer the author in private messages.
    replyAddress: suggested ? { peerId: fromId } : { ownerId, postId },
    features: { source: 'wall', ...(suggested ? { postType: 'suggest' } : {}) },
  };
  return { items: [item], events: [] };
}

/**
 * A comment under a wall post. Thread: one per author under a post (`post:<o>_<p>/from:<user>`), so different
 * citizens commenting on the same news post do not merge into one appeal, while a citizen's reply to our answer
 * joins their own thread; `refersTo` the post's key, so comments under a citizen's own incident post join that post.
 */
function wallReplyNew(object: unknown, ctx: EventContext): ParsedEvents {
  if (!isRecord(object)) return { ...EMPTY, problem: 'wall_reply_new without an object' };
  const commentId = int(object.id);
  const postId = int(object.post_id);
  const ownerId = int(object.post_owner_id) ?? int(object.owner_id) ?? -ctx.groupId;
  const fromId = int(object.from_id);
  if (!commentId || !postId || !fromId)
    return { ...EMPTY, problem: 'wall_reply_new without id, post_id or from_id' };
  // Our own answers come back as wall_reply_new too.
  if (fromId === -ctx.groupId) return EMPTY;
  const item: InboundItem = {
    channel: Channel.Vk,
    externalId: `reply:${ownerId}_${postId}_${commentId}`,
    receivedAt: isoFromUnix(object.date),
    regime: 'message',
    author: { externalId: String(fromId) },
    text: cleanText(object.text),
    attachments: attachmentsOf(object.attachments),
    thread: {
      key: threadKeys.postAuthor(ownerId, postId, fromId),
      refersTo: [threadKeys.post(ownerId, postId)],
    },
    replyAddress: { ownerId, postId, commentId },
    features: { source: 'wall' },
  };
  return { items: [item], events: [] };
}
