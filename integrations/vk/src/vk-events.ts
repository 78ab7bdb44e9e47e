import {
  buttonRatingEvent,
  Channel,
  type DialogueTouch,
  interactionEvent,
  type InboundAttachment,
  type InboundEvent,
  type InboundItem,
} from '@inbox/integrations/contract';
import { cleanText, isRecord } from '@inbox/integrations/contract';
import { interpretPayload, type PayloadMeaning } from './vk-keyboard';

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
  const read = dialogueMessage(object, 'message_new');
  if (!('message' in read)) return read;
  const { message, peerId, fromId, localId } = read;
  // Chat service messages (someone joined, the title changed) are not citizens' words.
  if (isRecord(message.action)) return EMPTY;
  const receivedAt = isoFromUnix(message.date);
  const thread = { key: threadKeys.peer(peerId) };
  const meaning = interpretPayload(message.payload);
  if (meaning) {
    return buttonEvents(
      meaning,
      { receivedAt, author: { externalId: String(fromId) }, thread, replyAddress: { peerId } },
      { rating: `rate:${peerId}:${localId}`, interaction: `btn:${peerId}:${localId}` },
    );
  }
  // A reply to one of the community's messages (an answer, a notice) names it: it joins that message's appeal.
  const repliedTo = isRecord(message.reply_message) ? int(message.reply_message.id) : undefined;
  const itemThread = repliedTo ? { ...thread, refersTo: [threadKeys.sent(peerId, repliedTo)] } : thread;
  return dialogueItem(read, {
    externalId: `msg:${peerId}:${localId}`,
    receivedAt,
    thread: itemThread,
    features: { source: 'messages' },
  });
}

/**
 * A message edited in a dialogue. The community's own edits (out = 1) are ours; a citizen's edit is the new
 * wording as an item of its own, marked as the correction of the message it edits (as Telegram's edits are).
 */
function messageEdit(object: unknown): ParsedEvents {
  const read = dialogueMessage(object, 'message_edit');
  if (!('message' in read)) return read;
  const { message, peerId, localId } = read;
  const editedAt = int(message.update_time);
  const original = `msg:${peerId}:${localId}`;
  return dialogueItem(read, {
    externalId: `${original}:edit:${editedAt ?? int(message.date) ?? 0}`,
    receivedAt: isoFromUnix(editedAt ?? message.date),
    thread: { key: threadKeys.peer(peerId) },
    features: { source: 'messages', correctionOf: original },
  });
}

interface DialogueMessage {
  message: Record<string, unknown>;
  peerId: number;
  fromId: number;
  localId: number;
}

/**
 * A dialogue message's object (new or edited) and its ids; or what to return instead: a problem when the ids are
 * missing, a group chat the community was added to (not a citizen's dialogue with us: no consent request, no
 * appeal), nothing for our own outgoing copies (out = 1) and other communities.
 */
function dialogueMessage(object: unknown, type: string): DialogueMessage | ParsedEvents {
  // Since API 5.103 the object is { message, client_info }; older bodies carry the message itself.
  const message = isRecord(object) ? (isRecord(object.message) ? object.message : object) : undefined;
  if (!message) return { ...EMPTY, problem: `${type} without a message` };
  const peerId = int(message.peer_id);
  const fromId = int(message.from_id);
  const localId = int(message.conversation_message_id) || int(message.id);
  if (!peerId || !fromId || !localId) return { ...EMPTY, problem: `${type} without peer_id, from_id or id` };
  if (peerId >= VK_CHAT_PEER_BASE) return { ...EMPTY, skipped: 'group-chat' };
  if (int(message.out) === 1 || fromId < 0) return EMPTY;
  return { message, peerId, fromId, localId };
}

/** A citizen's words in a dialogue as an item. */
function dialogueItem(
  { message, peerId, fromId }: DialogueMessage,
  item: Pick<InboundItem, 'externalId' | 'receivedAt' | 'thread' | 'features'>,
): ParsedEvents {
  return {
    items: [
      {
        channel: Channel.Vk,
        externalId: item.externalId,
        receivedAt: item.receivedAt,
        regime: 'message',
        author: { externalId: String(fromId) },
        text: cleanText(message.text),
        attachments: attachmentsOf(message.attachments),
        thread: item.thread,
        replyAddress: { peerId },
        features: item.features,
      },
    ],
    events: [],
  };
}

/** A button pressed (its payload in a message, or a callback): a rating, or a start or button interaction. */
function buttonEvents(
  meaning: PayloadMeaning,
  touch: Omit<DialogueTouch, 'channel'>,
  ids: { rating: string; interaction: string },
): ParsedEvents {
  const press = { ...touch, channel: Channel.Vk };
  const event =
    meaning.kind === 'rating'
      ? buttonRatingEvent(press, ids.rating, meaning)
      : interactionEvent(
          press,
          ids.interaction,
          meaning.kind === 'start' ? 'start' : 'button',
          meaning.kind === 'button' ? meaning.value : undefined,
        );
  return { items: [], events: [event] };
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
  return buttonEvents(
    interpretPayload(object.payload) ?? { kind: 'button', value: '' },
    {
      receivedAt: new Date().toISOString(),
      author: { externalId: String(userId) },
      thread: { key: threadKeys.peer(peerId) },
      replyAddress: { peerId, userId, eventId },
      callbackId: eventId,
    },
    { rating: `rate:event:${eventId}`, interaction: `event:${eventId}` },
  );
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
