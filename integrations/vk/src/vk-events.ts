import { createHash } from 'node:crypto';
import {
  buttonRatingEvent,
  Channel,
  type DialogueTouch,
  interactionEvent,
  type ReachabilityEvent,
  type InboundAttachment,
  type InboundEvent,
  type InboundItem,
  type WithdrawalEvent,
} from '@inbox/integrations/contract';
import {
  cleanText,
  contentTypeOf,
  isEmojiOnly,
  isRecord,
  notReceivedAttachmentLine,
  safeFileName,
  unreadAttachmentLine,
  decodeHtmlEntities,
  isWritableInstant,
} from '@inbox/integrations/contract';
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
  'message_deny',
  'message_allow',
  'wall_post_new',
  'wall_reply_new',
  'wall_reply_edit',
  'wall_reply_delete',
  'photo_comment_new',
  'video_comment_new',
  'market_comment_new',
  'board_post_new',
  'photo_comment_edit',
  'video_comment_edit',
  'market_comment_edit',
  'board_post_edit',
] as const;

function int(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

function isoFromUnix(seconds: unknown): string {
  const n = int(seconds);
  const now = Date.now();
  // A date past the year 9999 (no Date holds 9e12 s) is no date: its toISOString threw a RangeError.
  if (n !== undefined && n > 0 && isWritableInstant(n * 1000)) return new Date(n * 1000).toISOString();
  // Thirteen digits are milliseconds (a relay that stamped in JavaScript's unit) when that reading is a time come.
  if (n !== undefined && n >= 1e12 && n < 1e13 && n <= now + 86_400_000) return new Date(n).toISOString();
  return new Date(now).toISOString();
}

/** VK photo size letters from smallest to largest, for old photos that carry no width/height. */
const SIZE_ORDER = 'smxopqryzw';

/**
 * The largest copy of a photo: `orig_photo` (API 5.199: the original, with its size) among the `sizes` (whose
 * `base` copy may say 0×0), or among the `photo_<width>` links of the API before 5.77, which some callback servers
 * still send.
 */
function largestPhotoUrl(photo: Record<string, unknown>): string | undefined {
  const legacy = Object.entries(photo)
    .map(([key, url]) => [/^photo_(\d{2,5})$/.exec(key)?.[1], url] as const)
    .filter(([width, url]) => width !== undefined && typeof url === 'string')
    .map(([width, url]) => ({ url, width: Number(width), height: Number(width) }));
  const sizes = [
    ...(isRecord(photo.orig_photo) ? [photo.orig_photo] : []),
    ...(Array.isArray(photo.sizes) ? photo.sizes : []),
    ...legacy,
  ];
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

/** What a message's attachments, forwarded messages and place give: files to fetch, and lines of text. */
export interface VkContent {
  files: InboundAttachment[];
  lines: string[];
  /** Only stickers or gifts came: a reaction, nothing for a clerk; which of them (a gift is no sticker). */
  reactionOnly?: VkReaction;
  /** The stickers and gifts that came, in Russian: what the citizen sent when there are no words to show. */
  reactions?: string[];
}

export type VkReaction = 'sticker' | 'gift';

/** Attachments that are a gesture, not content: said by name only when a message has nothing else to say. */
const REACTION_LABEL: Record<VkReaction, string> = { sticker: 'Стикер', gift: 'Подарок ВКонтакте' };
// Forwarded messages nest (a forward of a forward): read this deep, then say there is more.
const MAX_FORWARD_DEPTH = 3;

function str(value: unknown): string {
  return typeof value === 'string' ? cleanText(value) : '';
}

/**
 * Words as a person wrote them: VK keeps a mention as markup — `[id604117299|Анна]` for a person, `[club1|…]` for a
 * community (how a reply to another commenter begins), `[https://…|words]` for a link — and the clerk reads the name,
 * and a link's address beside its words.
 */
export function vkText(value: unknown): string {
  // VK's API HTML-escapes a message's quotes, angle brackets and ampersands (older versions its line breaks too).
  return decodeHtmlEntities(str(value), { lineBreaks: true })
    .replace(/\[(?:id|club|public|event)\d+\|([^\]\n]+)\]/g, '$1')
    .replace(/\[(https?:\/\/[^\s|\]]+)\|([^\]\n]+)\]/g, '$2 ($1)');
}

/** The page of who wrote a forwarded message: a person's (`id…`) or a community's (`club…`, a negative id). */
function authorPage(fromId: number | undefined): string {
  if (fromId === undefined || fromId === 0) return '';
  return fromId > 0 ? `https://vk.com/id${fromId}` : `https://vk.com/club${-fromId}`;
}

/**
 * Photos (largest size), documents, voice messages and graffiti by URL (fetchAttachment downloads them later);
 * videos, reposts, links, audio, polls and goods as lines of text with their vk.com address; any other type as
 * «Вложение не распознано», so a clerk knows something came.
 */
function readAttachments(given: unknown, depth: number): VkContent {
  const out: VkContent = { files: [], lines: [] };
  const raw = listOf(given);
  const reactions: VkReaction[] = [];
  for (const attachment of raw) {
    if (!isRecord(attachment) || typeof attachment.type !== 'string') continue;
    const type = attachment.type;
    const body = isRecord(attachment[type]) ? (attachment[type] as Record<string, unknown>) : {};
    const ref = `${int(body.owner_id) ?? int(body.to_id) ?? ''}_${int(body.id) ?? out.files.length}`;
    // The same file whatever message carries it (an edited message sends its photos again): see uniqueKey.
    const owner = int(body.owner_id);
    const ownId = int(body.id);
    const uniqueKey =
      owner !== undefined && ownId !== undefined ? { uniqueKey: `vk:${type}:${owner}_${ownId}` } : {};
    if (type === 'photo') {
      const url = largestPhotoUrl(body);
      if (url)
        out.files.push({
          fileName: `photo${ref}.jpg`,
          contentType: 'image/jpeg',
          remoteRef: url,
          ...uniqueKey,
        });
      else out.lines.push('Вложение не распознано (фото без ссылки)');
    } else if (type === 'doc') {
      const ext = typeof body.ext === 'string' ? body.ext.toLowerCase() : '';
      let fileName = safeFileName(str(body.title)) || `doc${int(body.id) ?? out.files.length}`;
      if (ext && !fileName.toLowerCase().endsWith(`.${ext}`)) fileName = `${fileName}.${ext}`;
      if (typeof body.url === 'string' && body.url !== '')
        out.files.push({
          fileName,
          contentType: contentTypeOf(fileName),
          remoteRef: body.url,
          size: int(body.size),
          ...uniqueKey,
        });
      // A document VK gives no link to (its owner restricted it, or deleted it): named, for the clerk to ask for it.
      else out.lines.push(notReceivedAttachmentLine(fileName, 'ВКонтакте не дал ссылку на файл'));
    } else if (type === 'audio_message') {
      const ogg = typeof body.link_ogg === 'string' && body.link_ogg ? body.link_ogg : undefined;
      const mp3 = typeof body.link_mp3 === 'string' && body.link_mp3 ? body.link_mp3 : undefined;
      if (ogg || mp3)
        out.files.push({
          fileName: `voice${ref}.${ogg ? 'ogg' : 'mp3'}`,
          contentType: ogg ? 'audio/ogg' : 'audio/mpeg',
          remoteRef: (ogg ?? mp3) as string,
          ...uniqueKey,
        });
      const transcript = str(body.transcript);
      out.lines.push(
        transcript ? `Голосовое сообщение (расшифровка VK): ${transcript}` : 'Голосовое сообщение',
      );
    } else if (type === 'graffiti' && typeof body.url === 'string') {
      out.files.push({
        fileName: `graffiti${ref}.png`,
        contentType: 'image/png',
        remoteRef: body.url,
        ...uniqueKey,
      });
    } else if (type === 'video' || type === 'clip') {
      const [label, path] = type === 'video' ? ['Видео:', 'video'] : ['Клип:', 'clip'];
      out.lines.push([label, str(body.title), `https://vk.com/${path}${ref}`].filter(Boolean).join(' '));
    } else if (type === 'wall' || type === 'wall_reply') {
      const link =
        type === 'wall'
          ? `https://vk.com/wall${ref}`
          : `https://vk.com/wall${int(body.owner_id) ?? ''}_${int(body.post_id) ?? ''}?reply=${int(body.id) ?? ''}`;
      out.lines.push(`${type === 'wall' ? 'Запись со стены' : 'Комментарий'}: ${link}`);
      const text = vkText(body.text);
      if (text) out.lines.push(text);
      if (depth < MAX_FORWARD_DEPTH) {
        merge(out, readAttachments(body.attachments, depth + 1));
        // A repost forwarded: the shared post's words and files are in its copy_history.
        const shared = Array.isArray(body.copy_history) ? body.copy_history.filter(isRecord) : [];
        merge(
          out,
          readAttachments(
            shared.map((post) => ({ type: 'wall', wall: post })),
            depth + 1,
          ),
        );
      } else if (listOf(body.attachments).length > 0 || listOf(body.copy_history).length > 0) {
        out.lines.push('Вложения записи не показаны: откройте её по ссылке.');
      }
    } else if (type === 'link' || type === 'article') {
      const url = str(body.url);
      const label = type === 'link' ? 'Ссылка' : 'Статья';
      out.lines.push(`${label}: ${[str(body.title), url].filter(Boolean).join(' — ')}`);
    } else if (type === 'audio') {
      out.lines.push(`Аудиозапись: ${[str(body.artist), str(body.title)].filter(Boolean).join(' — ')}`);
    } else if (type === 'poll') {
      const answers = Array.isArray(body.answers)
        ? body.answers.map((a) => (isRecord(a) ? str(a.text) : '')).filter(Boolean)
        : [];
      out.lines.push([`Опрос: ${str(body.question)}`, ...answers.map((a) => `— ${a}`)].join('\n'));
    } else if (type === 'market') {
      out.lines.push(`Товар: ${str(body.title)}`);
    } else if (type === 'story') {
      out.lines.push(`История: https://vk.com/story${ref}`);
    } else if (type === 'call' || type === 'group_call_in_progress') {
      // The note of a call the citizen made (or tried) to the community: the clerk knows they tried.
      out.lines.push(
        `Звонок ВКонтакте${body.video === true ? ' (видео)' : ''}: звонки не принимаются, ответьте в переписке`,
      );
    } else if (type === 'sticker' || type === 'gift') {
      reactions.push(type);
    } else {
      out.lines.push(unreadAttachmentLine(type));
    }
  }
  if (reactions.length > 0) {
    out.reactions = [...new Set(reactions)].map((kind) => REACTION_LABEL[kind]);
    // A gift among stickers is a gift: the log and the skip say what the citizen sent.
    if (reactions.length === raw.length) out.reactionOnly = reactions.includes('gift') ? 'gift' : 'sticker';
  }
  return out;
}

/** A list as VK documents it; one object alone (a relay that unwraps lists of one) is a list of one, not nothing. */
function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : isRecord(value) ? [value] : [];
}

function merge(into: VkContent, from: VkContent): void {
  into.files.push(...from.files);
  into.lines.push(...from.lines);
}

/** A place the citizen sent (the "location" button): coordinates, and the place's name when VK knows it. */
function geoOf(message: Record<string, unknown>): { coordinates: string; address?: string } | undefined {
  const geo = message.geo;
  if (!isRecord(geo)) return undefined;
  let lat: number | undefined;
  let lon: number | undefined;
  if (isRecord(geo.coordinates)) {
    lat = Number(geo.coordinates.latitude);
    lon = Number(geo.coordinates.longitude);
  } else if (typeof geo.coordinates === 'string') {
    // Older API versions: "55.751 37.617".
    [lat, lon] = geo.coordinates
      .trim()
      .split(/[\s,]+/)
      .map(Number);
  }
  if (lat === undefined || lon === undefined || !Number.isFinite(lat) || !Number.isFinite(lon))
    return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  const place = isRecord(geo.place) ? geo.place : {};
  const named = [str(place.title), str(place.city)].filter(Boolean);
  const address = [...new Set(named)].join(', ') || undefined;
  return { coordinates: `${lat},${lon}`, ...(address ? { address } : {}) };
}

function placeLine(place: { coordinates: string; address?: string }): string {
  return `Геопозиция: ${place.address ? `${place.address} (${place.coordinates})` : place.coordinates}`;
}

/** Messages the citizen forwarded to us (a neighbour's message, an official's reply): their words and files. */
function forwardedOf(message: Record<string, unknown>, depth: number): VkContent {
  const out: VkContent = { files: [], lines: [] };
  const list = listOf(message.fwd_messages).filter(isRecord);
  if (depth >= MAX_FORWARD_DEPTH) {
    // Deeper than we read: said, so the clerk knows there is more of the citizen's material in the dialogue.
    if (list.length > 0)
      out.lines.push(`Ещё пересланные сообщения (${list.length}) не показаны: откройте диалог в VK.`);
    return out;
  }
  for (const forwarded of list) {
    const page = authorPage(int(forwarded.from_id));
    out.lines.push(page ? `Пересланное сообщение (${page}):` : 'Пересланное сообщение:');
    const text = vkText(forwarded.text);
    if (text) out.lines.push(text);
    // A place forwarded (a neighbour's «location» message): its coordinates, not a heading over nothing.
    const place = geoOf(forwarded);
    if (place) out.lines.push(placeLine(place));
    const attached = readAttachments(forwarded.attachments, depth + 1);
    // A forwarded sticker or gift alone: named, or the clerk would read a heading over nothing.
    if (!text && attached.reactionOnly) out.lines.push(...(attached.reactions ?? []));
    merge(out, attached);
    merge(out, forwardedOf(forwarded, depth + 1));
  }
  return out;
}

/** Everything a dialogue message or a wall item says: its text, then what its attachments and forwards add. */
export function contentOf(message: Record<string, unknown>): {
  text: string;
  files: InboundAttachment[];
  place?: { coordinates: string; address?: string };
  /** Only stickers or gifts, nothing else: a reaction, left out under this name. */
  reactionOnly?: VkReaction;
  /** Only emoji («👍», «🙏🙏») and no file: a reaction, as a sticker is. */
  emojiOnly: boolean;
} {
  const content = readAttachments(message.attachments, 0);
  const forwarded = forwardedOf(message, 0);
  merge(content, forwarded);
  const place = geoOf(message);
  if (place) content.lines.push(placeLine(place));
  const words = [vkText(message.text), ...content.lines].filter(Boolean).join('\n');
  const reactionOnly = !words && content.files.length === 0 ? content.reactionOnly : undefined;
  // No words beside a file (a gift with a photo): what came is said, so the clerk does not read an empty message.
  const text = words || (content.reactions ?? []).join('\n');
  return {
    text,
    files: content.files,
    ...(place ? { place } : {}),
    ...(reactionOnly ? { reactionOnly } : {}),
    emojiOnly: content.files.length === 0 && isEmojiOnly(words),
  };
}

/** Thread keys (documented for the core): `peer:<peer_id>` for dialogues, `post:<owner>_<post>` for a wall post. */
export const threadKeys = {
  peer: (peerId: number) => `peer:${peerId}`,
  post: (ownerId: number, postId: number) => `post:${ownerId}_${postId}`,
  /** One author's comments under one post: different citizens commenting on the same news post stay apart. */
  postAuthor: (ownerId: number, postId: number, fromId: number) => `post:${ownerId}_${postId}/from:${fromId}`,
  /** A message the community sent in a dialogue (its message id): a citizen's reply to it names this key. */
  sent: (peerId: number | string, messageId: number | string) => `sent:${peerId}:${messageId}`,
  /** A comment under a post (the community's answer on the wall): a citizen's comment in reply names this key. */
  comment: (ownerId: number, postId: number, commentId: number | string) =>
    `post:${ownerId}_${postId}/comment:${commentId}`,
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
    case 'message_deny':
    case 'message_allow':
      return reachability(raw.type, object, raw.event_id);
    case 'wall_post_new':
      return wallPostNew(object, ctx);
    case 'wall_reply_new':
      return wallReplyNew(object, ctx);
    case 'wall_reply_edit':
      if (editedIntoEmoji(object)) return { ...EMPTY, skipped: 'emoji' };
      return asCorrection(wallReplyNew(object, ctx), 'wall_reply_new', raw.type);
    case 'wall_reply_delete':
      return wallReplyDelete(object, ctx);
    case 'photo_comment_new':
    case 'video_comment_new':
    case 'market_comment_new':
    case 'board_post_new':
      return placeComment(raw.type, object, ctx);
    case 'photo_comment_edit':
    case 'video_comment_edit':
    case 'market_comment_edit':
    case 'board_post_edit': {
      const created = raw.type.replace(/_edit$/, '_new');
      if (editedIntoEmoji(object)) return { ...EMPTY, skipped: 'emoji' };
      return asCorrection(placeComment(created, object, ctx), created, raw.type);
    }
    default:
      // Acknowledged and left out (group_join, message_reply, message_typing_state…), logged by type only.
      return { ...EMPTY, skipped: `event-type:${/^[a-z_]{1,40}$/.test(raw.type) ? raw.type : 'unknown'}` };
  }
}

/**
 * The citizen forbade the community's messages (`message_deny`: nothing sent to the dialogue reaches them now) or
 * allowed them again (`message_allow`): a reachability event on their dialogue, noted on its appeal for staff.
 * Keyed by VK's event_id; the older bodies that carry none, by the minute it came.
 */
function reachability(
  type: 'message_deny' | 'message_allow',
  object: unknown,
  eventId: unknown,
): ParsedEvents {
  const userId = isRecord(object) ? int(object.user_id) : undefined;
  if (!userId || userId <= 0) return { ...EMPTY, problem: `${type} without user_id` };
  const reachable = type === 'message_allow';
  const at = Date.now();
  const key = typeof eventId === 'string' && eventId ? eventId : `t${Math.floor(at / 60_000)}`;
  const event: ReachabilityEvent = {
    kind: 'reachability',
    channel: Channel.Vk,
    externalId: `${reachable ? 'allow' : 'deny'}:${userId}:${key}`,
    receivedAt: new Date(at).toISOString(),
    target: { threadKey: threadKeys.peer(userId) },
    reachable,
    author: { externalId: String(userId) },
  };
  return { items: [], events: [event] };
}

function messageNew(object: unknown): ParsedEvents {
  const read = dialogueMessage(object, 'message_new');
  if (!('message' in read)) return read;
  const { message, peerId, fromId, localId } = read;
  // Chat service messages (someone joined, the title changed) are not citizens' words.
  if (isRecord(message.action)) return { ...EMPTY, skipped: 'chat-action' };
  const receivedAt = isoFromUnix(message.date);
  const thread = { key: threadKeys.peer(peerId) };
  const meaning = interpretPayload(message.payload);
  if (meaning && !citizensWords(meaning, message)) {
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
 * A message with a button's payload that is the citizen's message all the same: one with a place, files or forwarded
 * messages (a location button sends the place; no text button sends files), or a press on a keyboard we never sent
 * (an earlier bot's, left on the citizen's screen) — its words are the citizen's, and nothing of ours handles it.
 */
function citizensWords(meaning: PayloadMeaning, message: Record<string, unknown>): boolean {
  if (meaning.kind !== 'button') return false;
  const content =
    isRecord(message.geo) ||
    listOf(message.attachments).length > 0 ||
    listOf(message.fwd_messages).length > 0;
  return content || (meaning.ours !== true && cleanText(message.text).trim() !== '');
}

/**
 * An edit whose words are now emoji alone («👍»): a reaction, as the same words in a new message are, not a
 * correction of the appeal. The files beside them came with the message itself, so they do not make it one.
 */
function editedIntoEmoji(object: unknown): boolean {
  return isRecord(object) && isEmojiOnly(vkText(object.text));
}

/**
 * A message edited in a dialogue. The community's own edits (out = 1) are ours; a citizen's edit is the new
 * wording as an item of its own, marked as the correction of the message it edits (as Telegram's edits are).
 */
function messageEdit(object: unknown): ParsedEvents {
  const read = dialogueMessage(object, 'message_edit');
  if (!('message' in read)) return read;
  if (editedIntoEmoji(read.message)) return { ...EMPTY, skipped: 'emoji' };
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
  const given = isRecord(object) ? (isRecord(object.message) ? object.message : object) : undefined;
  if (!given) return { ...EMPTY, problem: `${type} without a message` };
  // Before API 5.80 a dialogue message named its citizen `user_id` and its words `body` (no peer_id, from_id or
  // text): a community whose Callback API still has such a version set sends that shape.
  const message =
    given.peer_id === undefined && given.from_id === undefined && int(given.user_id) !== undefined
      ? { ...given, peer_id: given.user_id, from_id: given.user_id, text: given.text ?? given.body }
      : given;
  const peerId = int(message.peer_id);
  const fromId = int(message.from_id);
  const localId = int(message.conversation_message_id) || int(message.id);
  if (!peerId || !fromId || !localId) return { ...EMPTY, problem: `${type} without peer_id, from_id or id` };
  if (peerId >= VK_CHAT_PEER_BASE) return { ...EMPTY, skipped: 'group-chat' };
  // The community's own messages (its answers, a staff member writing from the community) are ours.
  if (int(message.out) === 1 || fromId < 0) return { ...EMPTY, skipped: 'own-message' };
  return { message, peerId, fromId, localId };
}

/** A citizen's words in a dialogue as an item. */
function dialogueItem(
  { message, peerId, fromId }: DialogueMessage,
  item: Pick<InboundItem, 'externalId' | 'receivedAt' | 'thread' | 'features'>,
): ParsedEvents {
  const content = contentOf(message);
  if (content.reactionOnly) return { ...EMPTY, skipped: content.reactionOnly };
  if (content.emojiOnly) return { ...EMPTY, skipped: 'emoji' };
  const features = { ...item.features, ...(content.place ? { location: content.place.coordinates } : {}) };
  return {
    items: [
      {
        channel: Channel.Vk,
        externalId: item.externalId,
        receivedAt: item.receivedAt,
        regime: 'message',
        author: { externalId: String(fromId) },
        // Nothing we can read (an empty message, a type VK adds later): a clerk still sees that it came. A photo
        // alone is read: its file is the message.
        text: readableText(content, 'диалог'),
        attachments: content.files,
        thread: item.thread,
        replyAddress: { peerId },
        ...(content.place ? { address: content.place.address ?? content.place.coordinates } : {}),
        features,
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
  if (fromId < 0) return { ...EMPTY, skipped: 'community-post' };
  const suggested = object.post_type === 'suggest';
  // A repost: the shared post's words and files, as the citizen shared them.
  const shared = Array.isArray(object.copy_history) ? object.copy_history.filter(isRecord) : [];
  const content = contentOf({
    ...object,
    attachments: [...listOf(object.attachments), ...shared.map((post) => ({ type: 'wall', wall: post }))],
  });
  // As under a post or in a dialogue: a sticker or emoji alone is a reaction, nothing a clerk can act on.
  if (content.reactionOnly) return { ...EMPTY, skipped: content.reactionOnly };
  if (content.emojiOnly) return { ...EMPTY, skipped: 'emoji' };
  const item: InboundItem = {
    channel: Channel.Vk,
    externalId: `wall:${ownerId}_${postId}`,
    receivedAt: isoFromUnix(object.date),
    regime: 'message',
    author: { externalId: String(fromId) },
    text: readableText(content, 'запись'),
    attachments: content.files,
    thread: { key: threadKeys.post(ownerId, postId) },
    // A suggested post is not published, so it cannot be commented on: answer the author in private messages.
    replyAddress: suggested ? { peerId: fromId } : { ownerId, postId },
    features: { source: 'wall', ...(suggested ? { postType: 'suggest' } : {}) },
  };
  return { items: [item], events: [] };
}

/**
 * The words of a message, post or comment. One with neither words nor files we read (only a poll, graffiti, an
 * attachment kind VK adds later, a body VK sent empty) still reaches a clerk, who can open it in VK.
 */
function readableText(content: { text: string; files: unknown[] }, what: string): string {
  return content.text || (content.files.length > 0 ? '' : `Сообщение не распознано. Откройте ${what} в VK.`);
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
  const repliedTo = int(object.reply_to_comment) || undefined;
  // Our own answers come back as wall_reply_new too.
  if (fromId === -ctx.groupId) return { ...EMPTY, skipped: 'own-comment' };
  const content = contentOf(object);
  if (content.reactionOnly) return { ...EMPTY, skipped: content.reactionOnly };
  if (content.emojiOnly) return { ...EMPTY, skipped: 'emoji' };
  const item: InboundItem = {
    channel: Channel.Vk,
    externalId: `reply:${ownerId}_${postId}_${commentId}`,
    receivedAt: isoFromUnix(object.date),
    regime: 'message',
    author: { externalId: String(fromId) },
    text: readableText(content, 'комментарий'),
    attachments: content.files,
    thread: {
      key: threadKeys.postAuthor(ownerId, postId, fromId),
      // A reply to a comment (`reply_to_comment`; the community's answer, once delivered, is a key of its appeal)
      // joins that comment's appeal even once it is answered, as a reply to the answer in a dialogue does.
      refersTo: [
        threadKeys.post(ownerId, postId),
        ...(repliedTo !== undefined ? [threadKeys.comment(ownerId, postId, repliedTo)] : []),
      ],
    },
    replyAddress: { ownerId, postId, commentId },
    features: { source: 'wall' },
  };
  return { items: [item], events: [] };
}

/**
 * A comment under a wall post deleted: a withdrawal of the comment as `wall_reply_new` named it, for the core to note
 * on its appeal (which stays on record, 59-ФЗ), as a deleted Telegram business message is. The event names who
 * deleted it (`deleter_id`), not who wrote it: the withdrawal is the author's (`by: 'author'`, the deleter as its
 * author), and the core notes it only when the deleter is the appeal's applicant — a moderator removing a citizen's
 * comment is not the citizen taking it back. The community deleting its own answer needs nothing.
 */
function wallReplyDelete(object: unknown, ctx: EventContext): ParsedEvents {
  if (!isRecord(object)) return { ...EMPTY, problem: 'wall_reply_delete without an object' };
  const commentId = int(object.id);
  const postId = int(object.post_id);
  const ownerId = int(object.owner_id) ?? -ctx.groupId;
  const deleterId = int(object.deleter_id);
  if (!commentId || !postId || !deleterId)
    return { ...EMPTY, problem: 'wall_reply_delete without id, post_id or deleter_id' };
  if (deleterId === -ctx.groupId) return { ...EMPTY, skipped: 'own-reply-delete' };
  const target = `reply:${ownerId}_${postId}_${commentId}`;
  const event: WithdrawalEvent = {
    kind: 'withdrawal',
    channel: Channel.Vk,
    externalId: `deleted:${target}`,
    receivedAt: new Date().toISOString(),
    target: { externalId: target },
    by: 'author',
    author: { externalId: String(deleterId) },
  };
  return { items: [], events: [event] };
}

/**
 * A citizen edited their comment (on the wall, under a photo, a video or a product, in a board: added the house
 * number, the photo): the new wording, read as the comment was, is an item of its own in the same thread, marked
 * as a correction of the comment, as an edited dialogue message is. The event carries no edit time: the edit is
 * named by its content, so a redelivery is the same item and a second edit another.
 */
function asCorrection(read: ParsedEvents, created: string, type: string): ParsedEvents {
  if (read.problem) return { ...read, problem: read.problem.replace(created, type) };
  const items = read.items.map((item) => {
    const version = createHash('sha256')
      .update(JSON.stringify([item.text, (item.attachments ?? []).map((a) => a.remoteRef ?? a.fileName)]))
      .digest('hex')
      .slice(0, 16);
    return {
      ...item,
      externalId: `${item.externalId}:edit:${version}`,
      receivedAt: new Date().toISOString(),
      features: { ...item.features, correctionOf: item.externalId },
    };
  });
  return { ...read, items };
}

/** Where a comment outside the wall sits: the object's owner and id fields, and the name in ids and features. */
const COMMENT_PLACES: Record<string, { owner: string; id: string; name: string }> = {
  photo_comment_new: { owner: 'photo_owner_id', id: 'photo_id', name: 'photo' },
  video_comment_new: { owner: 'video_owner_id', id: 'video_id', name: 'video' },
  market_comment_new: { owner: 'market_owner_id', id: 'item_id', name: 'market' },
  board_post_new: { owner: 'topic_owner_id', id: 'topic_id', name: 'board' },
};

/**
 * A citizen's comment under a community photo, video or product, or a post in a discussion board: like a wall
 * comment, an open-source message (8-ФЗ). One thread per author and place. `send` comments on the wall only, so
 * the answer goes to the author in private messages.
 */
function placeComment(type: string, object: unknown, ctx: EventContext): ParsedEvents {
  const place = COMMENT_PLACES[type];
  if (!isRecord(object)) return { ...EMPTY, problem: `${type} without an object` };
  const commentId = int(object.id);
  const placeId = int(object[place.id]);
  const ownerId = int(object[place.owner]) ?? -ctx.groupId;
  const fromId = int(object.from_id);
  if (!commentId || !placeId || !fromId)
    return { ...EMPTY, problem: `${type} without id, ${place.id} or from_id` };
  // The community's own answers come back too.
  if (fromId < 0) return { ...EMPTY, skipped: 'community-comment' };
  const content = contentOf(object);
  if (content.reactionOnly) return { ...EMPTY, skipped: content.reactionOnly };
  if (content.emojiOnly) return { ...EMPTY, skipped: 'emoji' };
  const key = `${place.name}:${ownerId}_${placeId}`;
  const item: InboundItem = {
    channel: Channel.Vk,
    externalId: `${place.name}-comment:${ownerId}_${placeId}_${commentId}`,
    receivedAt: isoFromUnix(object.date),
    regime: 'message',
    author: { externalId: String(fromId) },
    text: readableText(content, 'обсуждение'),
    attachments: content.files,
    thread: { key: `${key}/from:${fromId}`, refersTo: [key] },
    replyAddress: { peerId: fromId },
    features: { source: 'wall', place: place.name },
  };
  return { items: [item], events: [] };
}
