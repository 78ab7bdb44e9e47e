import {
  buttonRatingEvent,
  Channel,
  ConnectorError,
  ConnectorErrorCode,
  extensionFor,
  type InboundAttachment,
  type InboundAuthor,
  type InboundEvent,
  type InboundItem,
  interactionEvent,
  isEmojiOnly,
  type InteractionEvent,
  type ReachabilityEvent,
  safeFileName,
  type WithdrawalEvent,
  isWritableInstant,
} from '@inbox/integrations/contract';
import { parseCallbackData } from './callback-data';

/** What one Telegram Update becomes. Both lists are empty for update types we do not handle. */
export interface MappedUpdate {
  items: InboundItem[];
  events: InboundEvent[];
  /** Read and left out on purpose (a group chat): the connector logs the reason, never the content. */
  skipped?: string;
  /**
   * The copy of a channel post in its discussion group that this update showed (the copy itself, or the post a
   * comment answers): the connector keeps it, so that later replies in that post's thread read as its comments.
   */
  postCopy?: PostCopy;
}

/**
 * A channel post as Telegram copied it into the linked discussion group (`is_automatic_forward`). The copy's id is
 * the `message_thread_id` of every comment under the post, replies to neighbours' comments included.
 */
export interface PostCopy {
  /** The discussion group. */
  chatId: number;
  /** The copy's id in the group: the comments' thread. */
  messageId: number;
  /** The channel that posted it: a comment on its behalf is the staff's. */
  channelId?: number;
  /** «Комментарий к посту канала «…» <link>: «the post's beginning»». */
  heading: string;
}

/**
 * Update types the bot asks for, in getUpdates and setWebhook alike. `business_message` comes when an official's
 * Telegram Business account connects the bot to its chats: citizens write to the person, the bot files it.
 */
export const ALLOWED_UPDATES = [
  'message',
  'edited_message',
  'callback_query',
  'business_message',
  'edited_business_message',
  'deleted_business_messages',
  'my_chat_member',
] as const;

/** How an account reads what is not a private chat with the bot (the account's settings). */
export interface MapOptions {
  /**
   * `channelComments`: comments under the official channel's posts, in the channel's linked discussion group
   * (the bot a member there), are open-source messages (8-ФЗ) to register; off, the group is left out.
   */
  channelComments?: boolean;
  /**
   * The post copy with this id in this group, when the connector has seen it. A reply to a neighbour's comment
   * names its post only by `message_thread_id`, which a plain reply chain of the group carries as well.
   */
  postCopy?: (chatId: number, messageId: number) => PostCopy | undefined;
}

/** `features.source` of a public comment (8-ФЗ open-source message), as VK's and OK's wall items carry it. */
export const PUBLIC_SOURCE = 'wall';

/**
 * `features.correctionOf` on an item that is the citizen's edit of an earlier message: the external id of the
 * message edited. The edit is an item of its own (a follow-up in the same chat), so the first wording stays.
 */
export const CORRECTION_OF = 'correctionOf';

const COMMANDS: Record<string, InteractionEvent['action']> = {
  start: 'start',
  help: 'help',
  my: 'list-appeals',
  status: 'appeal-status',
  faq: 'faq',
};

// `/cmd`, `/cmd@BotName`, `/cmd argument…`
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/u;

/**
 * What a command may carry after it: a deep-link payload after /start (t.me/<bot>?start=…: letters, digits, «_» and
 * «-»), an appeal's number after /status, a question after /faq. Anything else after /start, /help or /my, or more
 * than a number after /status, is the citizen's message typed after the command («/help у нас третий день нет
 * воды»): an item, as the same words without the slash are in VK and OK — never an argument the bot ignores.
 */
function argumentFits(action: InteractionEvent['action'], value: string): boolean {
  if (action === 'start') return /^[A-Za-z0-9_-]{1,64}$/.test(value);
  if (action === 'appeal-status') return /^(?:обращени[ея]\s+)?(?:№\s*)?\S+$/iu.test(value);
  return action === 'faq';
}

type Json = Record<string, unknown>;

function invalid(field: string, reason: string): never {
  throw new ConnectorError(ConnectorErrorCode.InvalidPayload, `Telegram update: ${field} ${reason}`, {
    fields: { [field]: reason },
  });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(parent: Json, key: string, path: string): Json {
  const value = parent[key];
  if (!isObject(value)) invalid(path, 'must be an object');
  return value;
}

function int(parent: Json, key: string, path: string): number {
  const value = parent[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid(path, 'must be an integer');
  return value;
}

function optString(parent: Json, key: string, path: string): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') invalid(path, 'must be a string');
  return value;
}

function optNumber(parent: Json, key: string): number | undefined {
  const value = parent[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The update id, or InvalidPayload when the body is not an Update at all. */
export function updateIdOf(update: unknown): number {
  if (!isObject(update)) invalid('update', 'must be an object');
  return int(update, 'update_id', 'update_id');
}

/**
 * Maps one Update. Messages from private chats become items (or interactions for bot commands);
 * inline-button presses become ratings, consent or plain button interactions. Anything else (edits,
 * group chats, inline queries, stickers without text) maps to nothing. A broken Update throws
 * InvalidPayload with the offending field.
 */
export function mapUpdate(
  update: unknown,
  now: () => Date = () => new Date(),
  options: MapOptions = {},
): MappedUpdate {
  updateIdOf(update);
  const body = update as Json;
  if (body.message !== undefined) return mapMessage(obj(body, 'message', 'message'), { ...options, now });
  if (body.edited_message !== undefined)
    return mapEdit(obj(body, 'edited_message', 'edited_message'), { ...options, now });
  // A citizen writing to the official's business account: the same private chat, answered through the connection.
  if (body.business_message !== undefined)
    return mapMessage(obj(body, 'business_message', 'business_message'), { business: true, now });
  if (body.edited_business_message !== undefined)
    return mapEdit(obj(body, 'edited_business_message', 'edited_business_message'), { business: true, now });
  if (body.deleted_business_messages !== undefined)
    return mapDeletedBusiness(obj(body, 'deleted_business_messages', 'deleted_business_messages'), now());
  if (body.callback_query !== undefined) {
    return mapCallbackQuery(obj(body, 'callback_query', 'callback_query'), now());
  }
  if (body.my_chat_member !== undefined)
    return mapMyChatMember(obj(body, 'my_chat_member', 'my_chat_member'), now());
  // Inline queries are how a user types the bot's name in another chat: nothing was sent to us (said in the log).
  if (body.inline_query !== undefined) return { items: [], events: [], skipped: 'inline-query' };
  if (body.chosen_inline_result !== undefined)
    return { items: [], events: [], skipped: 'chosen-inline-result' };
  // Anything else (channel posts, reactions, kinds Telegram adds later)
  // is acknowledged and left out, with its kind for the log: never an error that would hold the bot's feed back.
  const kind = Object.keys(body).find((key) => key !== 'update_id');
  return { items: [], events: [], skipped: `update-kind:${safeKind(kind)}` };
}

/**
 * The thread a message of a supergroup names (`message_thread_id`: a post copy's id when it is under a post), for
 * the connector to look the copy up before mapping; the copy itself and a direct comment show it anyway.
 */
export function commentThreadOf(update: unknown): { chatId: number; messageId: number } | undefined {
  if (!isObject(update)) return undefined;
  const message = isObject(update.message)
    ? update.message
    : isObject(update.edited_message)
      ? update.edited_message
      : undefined;
  if (!message || message.is_automatic_forward === true || !isObject(message.chat)) return undefined;
  if (message.chat.type !== 'supergroup') return undefined;
  const replied = isObject(message.reply_to_message) ? message.reply_to_message : undefined;
  if (!replied || replied.is_automatic_forward === true) return undefined;
  const chatId = optNumber(message.chat, 'id');
  const messageId = optNumber(message, 'message_thread_id');
  return chatId !== undefined && messageId !== undefined ? { chatId, messageId } : undefined;
}

/** A post copy as the connector stored it (JSON of `PostCopy`), or undefined when it is not one. */
export function postCopyFromJson(text: string | undefined): PostCopy | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.heading !== 'string') return undefined;
  const chatId = optNumber(value, 'chatId');
  const messageId = optNumber(value, 'messageId');
  const channelId = optNumber(value, 'channelId');
  if (chatId === undefined || messageId === undefined) return undefined;
  return { chatId, messageId, ...(channelId !== undefined ? { channelId } : {}), heading: value.heading };
}

/** A field name fit for a log line: a Bot API field is `snake_case`; anything else is not echoed. */
function safeKind(key: string | undefined): string {
  return key !== undefined && /^[a-z_]{1,40}$/.test(key) ? key : 'unknown';
}

/**
 * Messages deleted from a business chat (`deleted_business_messages`): the citizen took back what they had written
 * to the official. Each becomes a withdrawal by the author, for the core to note on the appeal it was registered
 * in; the appeal and the text stay on record (59-ФЗ). A message that was never registered (the official's own, one
 * still waiting for consent) needs nothing: the core finds no appeal for it.
 */
function mapDeletedBusiness(deleted: Json, at: Date): MappedUpdate {
  const path = 'deleted_business_messages';
  if (!optString(deleted, 'business_connection_id', `${path}.business_connection_id`))
    invalid(`${path}.business_connection_id`, 'is missing');
  const chatId = int(obj(deleted, 'chat', `${path}.chat`), 'id', `${path}.chat.id`);
  const ids = deleted.message_ids;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'number' && Number.isSafeInteger(id)))
    invalid(`${path}.message_ids`, 'must be a list of integers');
  const events: WithdrawalEvent[] = (ids as number[]).map((id) => ({
    kind: 'withdrawal',
    channel: Channel.Telegram,
    externalId: `deleted:b${chatId}:${id}`,
    receivedAt: at.toISOString(),
    // As the business message was named when it came (mapMessage: `b<chatId>:<messageId>`).
    target: { externalId: `b${chatId}:${id}` },
    by: 'author',
    author: { externalId: String(chatId) },
  }));
  return { items: [], events };
}

/**
 * The bot's own membership in a chat changed (`my_chat_member`). In a private chat that is the citizen blocking the
 * bot («kicked»: nothing we send reaches them) or unblocking it (back to «member»): a reachability event on the
 * chat's dialogue, for the core to note on its appeal. A group adding or removing the bot is nothing of ours.
 */
function mapMyChatMember(update: Json, at: Date): MappedUpdate {
  const path = 'my_chat_member';
  const chat = obj(update, 'chat', `${path}.chat`);
  const chatId = int(chat, 'id', `${path}.chat.id`);
  if (optString(chat, 'type', `${path}.chat.type`) !== 'private')
    return { items: [], events: [], skipped: 'group-membership' };
  const status = (key: string) => {
    const member = update[key];
    return isObject(member) && typeof member.status === 'string' ? member.status : undefined;
  };
  const now = status('new_chat_member');
  const before = status('old_chat_member');
  const reachable = now === 'kicked' ? false : now === 'member' && before === 'kicked' ? true : undefined;
  if (reachable === undefined) return { items: [], events: [], skipped: 'membership-unchanged' };
  const date = optNumber(update, 'date');
  const receivedAt = (
    date !== undefined && isWritableInstant(date * 1000) ? new Date(date * 1000) : at
  ).toISOString();
  const from = isObject(update.from) ? authorOf(update.from, `${path}.from`) : { externalId: String(chatId) };
  const event: ReachabilityEvent = {
    kind: 'reachability',
    channel: Channel.Telegram,
    externalId: `member:${chatId}:${date ?? receivedAt}:${reachable ? 'back' : 'blocked'}`,
    receivedAt,
    target: { threadKey: `chat:${chatId}` },
    reachable,
    author: from,
  };
  return { items: [], events: [event] };
}

function authorOf(user: Json, path: string): InboundAuthor {
  const id = int(user, 'id', `${path}.id`);
  const first = optString(user, 'first_name', `${path}.first_name`)?.trim();
  const last = optString(user, 'last_name', `${path}.last_name`)?.trim();
  const displayName = [first, last].filter(Boolean).join(' ') || undefined;
  return { externalId: String(id), displayName };
}

interface MessageOptions extends MapOptions {
  /** A `business_message`: the chat is between a citizen and the official's business account. */
  business?: boolean;
  /** The time of reading, for a message whose own date is none. */
  now?: () => Date;
}

const defaultNow = () => new Date();

function mapMessage(message: Json, options: MessageOptions = {}): MappedUpdate {
  const messageId = int(message, 'message_id', 'message.message_id');
  const date = int(message, 'date', 'message.date');
  const chat = obj(message, 'chat', 'message.chat');
  const chatId = int(chat, 'id', 'message.chat.id');
  const chatType = optString(chat, 'type', 'message.chat.type');
  let comment: CommentPlace | undefined;
  let directTopic: number | undefined;
  // Appeals come from one-to-one chats; a bot added to a group must not file the group's chatter. The exceptions:
  // a citizen's direct message to the official channel (the channel's direct messages chat, one topic per person),
  // and, when the account says so, comments under the channel's posts in its discussion group.
  // Telegram always sends the type; the oldest webhook examples omit it, and they are private chats.
  if (chat.is_direct_messages === true && !options.business) {
    const topic = directTopicOf(message);
    if (typeof topic === 'string') return { items: [], events: [], skipped: topic };
    directTopic = topic;
  } else if (chatType !== undefined && chatType !== 'private') {
    if (!options.channelComments || chatType !== 'supergroup' || options.business)
      return { items: [], events: [], skipped: 'group-chat' };
    const place = commentPlaceOf(message, chatId, options.postCopy);
    if (typeof place === 'string') return { items: [], events: [], skipped: place };
    if (!('threadKey' in place))
      return { items: [], events: [], skipped: 'channel-post', postCopy: place.copy };
    comment = place;
  }

  let business: string | undefined;
  if (options.business) {
    business = optString(message, 'business_connection_id', 'business_message.business_connection_id');
    if (!business) invalid('business_message.business_connection_id', 'is missing');
    // The official's own messages in the chat (typed by them, or by a bot on their behalf) come too: not an appeal.
    const from = isObject(message.from) ? optNumber(message.from, 'id') : undefined;
    if ((from !== undefined && from !== chatId) || message.sender_business_bot !== undefined)
      return { items: [], events: [], skipped: 'business-own-message' };
  }

  // In a private chat the chat is the user; `from` is there in practice, the chat is the fallback. A comment posted
  // on behalf of a chat (a citizen's own channel) is that chat's.
  const author = comment?.author ?? authorOf(isObject(message.from) ? message.from : chat, 'message.from');
  // A business chat has its own message numbering: its ids and thread keys must not meet the bot's chat's.
  const chatKey = business !== undefined ? `b${chatId}` : String(chatId);
  const externalId = `${chatKey}:${messageId}`;
  // A date past the year 9999 (no Date holds 9e12 s: its toISOString threw a RangeError) is the time of reading.
  const receivedAt = (
    isWritableInstant(date * 1000) ? new Date(date * 1000) : (options.now ?? defaultNow)()
  ).toISOString();
  // A reply to one of the bot's messages (an answer, a notice) names it: the reply joins that message's appeal.
  const repliedTo = isObject(message.reply_to_message)
    ? optNumber(message.reply_to_message, 'message_id')
    : undefined;
  const ownKey =
    business !== undefined
      ? `business:${chatId}`
      : directTopic !== undefined
        ? `direct:${chatId}:${directTopic}`
        : `chat:${chatId}`;
  const thread = {
    key: comment?.threadKey ?? ownKey,
    ...(repliedTo !== undefined ? { refersTo: [sentMessageKey(chatKey, repliedTo)] } : {}),
  };
  const replyAddress = {
    chatId,
    messageId,
    // Answers under a comment are read by everyone in the group: the core sends there the answer only.
    ...(comment ? { public: true } : {}),
    ...(business !== undefined ? { businessConnectionId: business } : {}),
    ...(directTopic !== undefined ? { directMessagesTopicId: directTopic } : {}),
  };

  const text = optString(message, 'text', 'message.text');
  const caption = optString(message, 'caption', 'message.caption');

  // A forwarded message is somebody else's words, never a command the citizen typed to the bot (a forwarded
  // «/start» or «/status …» is filed as what it is).
  const forwardedWords = isObject(message.forward_origin) || message.forward_date !== undefined;
  const command = text === undefined || comment || forwardedWords ? null : COMMAND.exec(text.trim());
  const action = command ? COMMANDS[command[1].toLowerCase()] : undefined;
  const value = command?.[2]?.trim() || undefined;
  if (command && action && (value === undefined || argumentFits(action, value))) {
    const event = interactionEvent(
      { channel: Channel.Telegram, receivedAt, author, thread, replyAddress },
      externalId,
      action,
      value,
    );
    return { items: [], events: [event] };
  }

  const attachments = attachmentsOf(message, messageId);
  const features: Record<string, string> = comment ? { ...comment.features } : {};
  const lines: string[] = [];
  let address: string | undefined;

  const place = placeOf(message);
  if (place) {
    features.location = place.coordinates;
    address = place.address ?? place.coordinates;
    lines.push(
      `Геопозиция: ${place.address ? `${place.address} (${place.coordinates})` : place.coordinates}`,
    );
  }

  if (isObject(message.contact)) {
    const contact = message.contact;
    const phone = normalisePhone(optString(contact, 'phone_number', 'message.contact.phone_number') ?? '');
    const userId = optNumber(contact, 'user_id');
    if (phone && userId !== undefined && String(userId) === author.externalId) {
      // The citizen shared their own number (the "share my phone" keyboard button): a contact for the answer.
      author.phone = phone;
      lines.push(`Телефон для связи: ${phone}`);
    } else {
      const name = [contact.first_name, contact.last_name]
        .filter((v) => typeof v === 'string' && v)
        .join(' ');
      lines.push(`Контакт: ${[name, phone].filter(Boolean).join(', ')}`);
    }
  }

  const forwarded = forwardLine(message);
  if (forwarded) features.forwarded = 'true';

  const poll = pollOf(message);
  if (poll) lines.push(poll);
  if (typeof message.media_group_id === 'string' && message.media_group_id)
    features[MEDIA_GROUP] = message.media_group_id;

  const links = hiddenLinks(message, text ?? caption ?? '');
  const written = [(text ?? caption ?? '').trim(), ...links].filter(Boolean).join('\n');
  // Emoji alone («👍», «🙏🙏») are a reaction to an answer or a notice, as a sticker is: left out, logged.
  if (attachments.length === 0 && lines.length === 0 && isEmojiOnly(written))
    return { items: [], events: [], skipped: 'emoji' };
  let body = written || lines.join('\n');
  if (!body && attachments.length === 0) {
    const other = otherContentOf(message);
    if (!other) return { items: [], events: [], skipped: 'no-content' };
    if (other.skip) return { items: [], events: [], skipped: other.kind };
    // Content we cannot read (a story, a paid post, something Telegram adds later) still reaches a clerk, who
    // can open the chat: the citizen did send something.
    body = `Сообщение не распознано (${other.label}). Откройте переписку в Telegram.`;
    features.unrecognised = other.kind;
  }
  // A forwarded message is somebody else's words (a channel's post, a neighbour's message): the clerk reads whose.
  if (forwarded) body = [forwarded, body].filter(Boolean).join('\n');
  // What the citizen quoted (a part of the message they reply to, or a message from another chat): the clerk
  // reads it beside the citizen's words, its files among the appeal's.
  const quoted = quotedOf(message, messageId);
  if (quoted.lines.length > 0) body = [body, ...quoted.lines].filter(Boolean).join('\n');
  attachments.push(...quoted.attachments);
  // Under which post, and in answer to whom: a comment's words alone («и у нас то же самое») say little.
  if (comment) body = [comment.heading, body, ...comment.context].filter(Boolean).join('\n');

  const item: InboundItem = {
    channel: Channel.Telegram,
    externalId,
    receivedAt,
    regime: 'message',
    author,
    text: body,
    thread,
    replyAddress,
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(address !== undefined ? { address } : {}),
    ...(Object.keys(features).length > 0 ? { features } : {}),
  };
  return { items: [item], events: [], ...(comment?.copy ? { postCopy: comment.copy } : {}) };
}

/**
 * The topic of a message in the official channel's direct messages chat (Bot API 9.2; the bot an administrator of
 * the channel): each citizen writing to the channel has a topic of their own, `direct_messages_topic.user`. The
 * channel's side of the conversation (a staff member, or the channel itself) is not an appeal: the reason instead.
 */
function directTopicOf(message: Json): number | string {
  const topic = isObject(message.direct_messages_topic) ? message.direct_messages_topic : undefined;
  const topicId = topic ? optNumber(topic, 'topic_id') : undefined;
  if (topicId === undefined) invalid('message.direct_messages_topic.topic_id', 'is missing');
  if (message.sender_chat !== undefined && message.sender_chat !== null) return 'channel-direct-own-message';
  const citizen = topic && isObject(topic.user) ? optNumber(topic.user, 'id') : undefined;
  const from = isObject(message.from) ? optNumber(message.from, 'id') : undefined;
  if (citizen !== undefined && from !== undefined && citizen !== from) return 'channel-direct-own-message';
  return topicId;
}

/** A comment under the official channel's post, in the channel's discussion group: where it sits and whose. */
interface CommentPlace {
  /** One thread per author under a post, as VK's wall comments: neighbours' comments are not one appeal. */
  threadKey: string;
  /** «Комментарий к посту канала «…» <link>: «the post's beginning»». */
  heading: string;
  /** The comment the citizen answered, when it is not the post. */
  context: string[];
  features: Record<string, string>;
  /** Who wrote, when it was on behalf of a chat (`sender_chat`), not the user in `from`. */
  author?: InboundAuthor;
  /** The post's copy, when the comment answers it directly (the connector remembers it). */
  copy?: PostCopy;
}

const EXCERPT_CHARS = 300;

function excerpt(message: Json): string {
  const raw = typeof message.text === 'string' ? message.text : message.caption;
  const text = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/** The copy of a channel post in the group, as comments under it name it. */
function postCopyOf(copy: Json, chatId: number): PostCopy | undefined {
  const messageId = optNumber(copy, 'message_id');
  if (messageId === undefined) return undefined;
  const origin = isObject(copy.forward_origin) ? copy.forward_origin : {};
  const channel = isObject(origin.chat) ? origin.chat : isObject(copy.sender_chat) ? copy.sender_chat : {};
  const title = typeof channel.title === 'string' ? channel.title.trim() : '';
  const username =
    typeof channel.username === 'string' && /^\w{4,32}$/.test(channel.username) ? channel.username : '';
  const channelPost = optNumber(origin, 'message_id') ?? optNumber(copy, 'forward_from_message_id');
  const link = username && channelPost !== undefined ? ` https://t.me/${username}/${channelPost}` : '';
  const text = excerpt(copy);
  const channelId = optNumber(channel, 'id');
  return {
    chatId,
    messageId,
    ...(channelId !== undefined ? { channelId } : {}),
    heading: `Комментарий к посту канала${title ? ` «${title}»` : ''}${link}${text ? `: «${text}»` : ''}`,
  };
}

/**
 * A message of a supergroup as a comment on the linked channel's post, or the reason it is not one (for the log).
 * Only a thread whose root is the post Telegram copied into the group (`is_automatic_forward`) holds comments. The
 * Update shows that root when the message answers the copy itself; a reply to another message of the group names
 * the chain's root only by id (`message_thread_id`), which a plain reply chain in the group has too. Such a reply
 * is a comment when that id is a post's copy the connector has seen (`postCopy`: the copy comes to the bot as a
 * message of the group, and every direct comment shows it again): a citizen answering a neighbour under the post.
 * Otherwise it is left out (`reply-chain`). A reply to a bot's message there is a comment as well: the bot writes
 * in the group only its answers under comments, so that is the citizen following up an answer (`thread.refersTo`
 * finds its appeal).
 * Left out as well: the copy itself (returned for the connector to remember), bots' messages, and messages on
 * behalf of the channel itself or of the group (its anonymous admins: the region's staff). A comment on behalf of
 * another chat (a citizen writing as their own channel) is that chat's.
 */
function commentPlaceOf(
  message: Json,
  chatId: number,
  known: MapOptions['postCopy'],
): CommentPlace | { copy: PostCopy } | string {
  if (message.is_automatic_forward === true) {
    const copy = postCopyOf(message, chatId);
    return copy ? { copy } : 'channel-post';
  }
  if (message.is_topic_message === true) return 'group-chat';
  // A message on behalf of a chat comes `from` Telegram's placeholder bot (Channel_Bot): the chat is read below.
  const onBehalf = isObject(message.sender_chat);
  if (!onBehalf && isObject(message.from) && message.from.is_bot === true) return 'bot-message';
  const replied = isObject(message.reply_to_message) ? message.reply_to_message : undefined;
  if (!replied) return 'group-chat';
  const direct = replied.is_automatic_forward === true;
  const toBot = !direct && isObject(replied.from) && replied.from.is_bot === true;
  const threadId = optNumber(message, 'message_thread_id');
  const copy = direct
    ? postCopyOf(replied, chatId)
    : threadId !== undefined
      ? known?.(chatId, threadId)
      : undefined;
  if (!direct && !toBot && !copy) return 'reply-chain';
  const post = direct ? optNumber(replied, 'message_id') : threadId;
  if (post === undefined) return 'reply-chain';

  let author: InboundAuthor | undefined;
  let from: number | undefined;
  const senderChat = isObject(message.sender_chat) ? message.sender_chat : undefined;
  if (senderChat) {
    const senderId = optNumber(senderChat, 'id');
    // The group's anonymous admins post as the group; the channel's staff as the channel. Where the post's channel
    // is not known (under our answer), a chat there cannot be told from the channel: left out too.
    if (senderId === undefined || senderId === chatId) return 'chat-sender';
    if (!copy || senderId === copy.channelId) return 'chat-sender';
    const title = typeof senderChat.title === 'string' ? senderChat.title.trim() : '';
    const username =
      typeof senderChat.username === 'string' && /^\w{4,32}$/.test(senderChat.username)
        ? senderChat.username
        : '';
    author = {
      externalId: String(senderId),
      displayName: [title, username ? `@${username}` : ''].filter(Boolean).join(' ') || undefined,
    };
    from = senderId;
  } else {
    from = isObject(message.from) ? optNumber(message.from, 'id') : undefined;
  }
  if (from === undefined) return 'group-chat';

  const context: string[] = [];
  if (!direct) {
    const text = excerpt(replied);
    // The bot's own message there is an answer; anyone else's is a neighbour's comment.
    if (toBot) context.push(text ? `В ответ на ответ: «${text}»` : 'В ответ на ответ в обсуждении');
    else context.push(text ? `В ответ на комментарий: «${text}»` : 'В ответ на комментарий в обсуждении');
  }
  return {
    threadKey: `comments:${chatId}:${post}/from:${from}`,
    heading: copy?.heading ?? 'Комментарий в обсуждении поста канала',
    context,
    features: { source: PUBLIC_SOURCE, place: 'channel-comments' },
    ...(author ? { author } : {}),
    ...(direct && copy ? { copy } : {}),
  };
}

/**
 * The citizen edited a message they had sent: the new wording is an item of its own in the same chat, marked as
 * a correction of the original (so it joins the appeal as the citizen's correction, and the first wording
 * stays in the history). Commands edited after the fact do nothing.
 */
function mapEdit(message: Json, options: MessageOptions = {}): MappedUpdate {
  // A live location moving: Telegram sends the shared location again as an edit every few seconds while it is on.
  // The first position came with the message itself; each move as a correction would bury the appeal.
  if (isObject(message.location) && message.text === undefined && message.caption === undefined)
    return { items: [], events: [], skipped: 'live-location-update' };
  // Words edited into emoji alone («👍»): a reaction, as the same in a new message is, not a correction of the
  // appeal. A photo under such a caption came with the message itself, so it does not make the edit one.
  const words = typeof message.text === 'string' ? message.text : message.caption;
  if (typeof words === 'string' && isEmojiOnly(words)) return { items: [], events: [], skipped: 'emoji' };
  const edited = mapMessage(message, options);
  const stamped = optNumber(message, 'edit_date');
  const editDate = stamped !== undefined && isWritableInstant(stamped * 1000) ? stamped : undefined;
  const items = edited.items.map((item) => ({
    ...item,
    externalId: `${item.externalId}:edit:${editDate ?? item.receivedAt}`,
    ...(editDate !== undefined ? { receivedAt: new Date(editDate * 1000).toISOString() } : {}),
    features: { ...item.features, [CORRECTION_OF]: item.externalId },
  }));
  return { items, events: [], ...(edited.skipped ? { skipped: edited.skipped } : {}) };
}

/** `features.mediaGroup`: the album an item belongs to (Telegram sends each photo of an album as its own message). */
export const MEDIA_GROUP = 'mediaGroup';

/**
 * The messages of one album that came in the same batch, as one item: the first message's ids, every caption and
 * every file. Telegram sends an album of photos as one message per photo sharing `media_group_id`, the caption on
 * one of them; as separate items a clerk would get an appeal with the words and others with bare photos.
 */
export function mergeMediaGroups(items: InboundItem[]): InboundItem[] {
  const out: InboundItem[] = [];
  const albums = new Map<string, InboundItem>();
  for (const item of items) {
    const group = item.features?.[MEDIA_GROUP];
    if (group === undefined || item.features?.[CORRECTION_OF] !== undefined) {
      out.push(item);
      continue;
    }
    const key = `${item.thread?.key ?? ''}|${group}`;
    const first = albums.get(key);
    if (!first) {
      const copy = { ...item, attachments: [...(item.attachments ?? [])] };
      albums.set(key, copy);
      out.push(copy);
      continue;
    }
    // A forwarded album names its source on every photo: once is enough.
    const known = new Set(first.text.split('\n'));
    const added = item.text.split('\n').filter((line) => line && !known.has(line));
    first.text = [first.text, ...added].filter(Boolean).join('\n');
    first.attachments = [...(first.attachments ?? []), ...(item.attachments ?? [])];
  }
  return out;
}

/**
 * Addresses behind words (`text_link` entities: a word the citizen made a link, a forwarded post's links): the
 * text alone would lose them.
 */
function hiddenLinks(message: Json, text: string): string[] {
  const entities = Array.isArray(message.entities)
    ? message.entities
    : Array.isArray(message.caption_entities)
      ? message.caption_entities
      : [];
  const urls = entities
    .map((e) => (isObject(e) && e.type === 'text_link' && typeof e.url === 'string' ? e.url.trim() : ''))
    .filter((url, i, all) => url && !text.includes(url) && all.indexOf(url) === i);
  return urls.length > 0 ? [`Ссылки: ${urls.join(', ')}`] : [];
}

// What a quoted message from another chat may hold besides files, as a clerk would name it.
const QUOTED_KINDS: [field: string, label: string][] = [
  ['photo', 'фото'],
  ['video', 'видео'],
  ['animation', 'анимация'],
  ['document', 'файл'],
  ['audio', 'аудио'],
  ['voice', 'голосовое сообщение'],
  ['video_note', 'видеосообщение'],
  ['sticker', 'стикер'],
  ['story', 'история'],
  ['paid_media', 'платное медиа'],
  ['contact', 'контакт'],
  ['location', 'геопозиция'],
  ['venue', 'место'],
  ['poll', 'опрос'],
  ['dice', 'игральная кость'],
  ['game', 'игра'],
  ['giveaway', 'розыгрыш'],
  ['giveaway_winners', 'итоги розыгрыша'],
  ['invoice', 'счёт'],
  ['checklist', 'список задач'],
];

/**
 * What the citizen quoted. `quote` (Bot API 7.0) is the part of the replied message they selected; `external_reply`
 * is a message of another chat (a channel's post, a neighbour's message) they answer from here: it has no text of
 * its own, only who wrote it and its media. A reply to a message of this chat also joins its thread (see
 * `thread.refersTo`); a quote from elsewhere would otherwise leave the clerk with «это опять» and nothing else.
 * Never throws: a quoted part we cannot read is named, and the citizen's own message still goes through.
 */
function quotedOf(message: Json, messageId: number): { lines: string[]; attachments: InboundAttachment[] } {
  const lines: string[] = [];
  const attachments: InboundAttachment[] = [];
  const quoteText =
    isObject(message.quote) && typeof message.quote.text === 'string' ? message.quote.text.trim() : '';
  const external = isObject(message.external_reply) ? message.external_reply : undefined;
  if (!external) {
    if (quoteText) lines.push(`Цитата: «${quoteText}»`);
    return { lines, attachments };
  }
  const from = originName(isObject(external.origin) ? external.origin : {}, external.chat);
  lines.push(`Ответ на сообщение из другого чата${from ? ` (${from})` : ''}:`);
  if (quoteText) lines.push(`«${quoteText}»`);
  const kinds = QUOTED_KINDS.filter(([field]) => external[field] !== undefined && external[field] !== null);
  if (kinds.length > 0) lines.push(`Содержит: ${kinds.map(([, label]) => label).join(', ')}`);
  try {
    const place = placeOf(external);
    if (place)
      lines.push(
        `Геопозиция: ${place.address ? `${place.address} (${place.coordinates})` : place.coordinates}`,
      );
  } catch {
    // A broken location in somebody else's message: already named by «Содержит».
  }
  const poll = pollOf(external);
  if (poll) lines.push(poll);
  try {
    attachments.push(...attachmentsOf(external, messageId));
  } catch {
    lines.push('Файлы цитируемого сообщения не получены.');
  }
  return { lines, attachments };
}

/**
 * Where a forwarded message comes from, as a clerk reads it: «Переслано из канала «…»» with the post's address when
 * the channel is public, «Переслано из чата «…»», «Переслано от …» for a person (also one who hides their account).
 * Reads `forward_origin` (Bot API 7.0) and the older `forward_from` / `forward_from_chat` / `forward_sender_name`.
 */
function forwardLine(message: Json): string | undefined {
  let origin: Json | undefined = isObject(message.forward_origin) ? message.forward_origin : undefined;
  if (!origin) {
    const chat = isObject(message.forward_from_chat) ? message.forward_from_chat : undefined;
    if (chat)
      origin = {
        type: chat.type === 'channel' ? 'channel' : 'chat',
        chat,
        sender_chat: chat,
        message_id: message.forward_from_message_id,
        author_signature: message.forward_signature,
      };
    else if (isObject(message.forward_from)) origin = { type: 'user', sender_user: message.forward_from };
    else if (typeof message.forward_sender_name === 'string')
      origin = { type: 'hidden_user', sender_user_name: message.forward_sender_name };
    else if (message.forward_date !== undefined) origin = {};
  }
  if (!origin) return undefined;
  const name = originName({ ...origin, author_signature: undefined });
  if (!name) return 'Пересланное сообщение';
  const signature =
    typeof origin.author_signature === 'string' && origin.author_signature.trim()
      ? `, подпись: ${origin.author_signature.trim()}`
      : '';
  if (origin.type === 'channel') {
    const chat = isObject(origin.chat) ? origin.chat : {};
    const username =
      typeof chat.username === 'string' && /^\w{4,32}$/.test(chat.username) ? chat.username : '';
    const post = optNumber(origin, 'message_id');
    const link = username && post !== undefined ? ` https://t.me/${username}/${post}` : '';
    return `Переслано из канала «${name}»${signature}${link}`;
  }
  if (origin.type === 'chat') return `Переслано из чата «${name}»${signature}`;
  return `Переслано от ${name}`;
}

/** Who wrote a message (a MessageOrigin): a person's name, a channel's or chat's title, and the post's signature. */
function originName(origin: Json, chat?: unknown): string {
  const title = (chat: unknown) =>
    isObject(chat) && typeof chat.title === 'string' ? chat.title.trim() : '';
  const person = (user: unknown) =>
    isObject(user)
      ? [user.first_name, user.last_name]
          .filter((v): v is string => typeof v === 'string' && !!v.trim())
          .map((v) => v.trim())
          .join(' ')
      : '';
  const signature = typeof origin.author_signature === 'string' ? origin.author_signature.trim() : '';
  const name =
    person(origin.sender_user) ||
    (typeof origin.sender_user_name === 'string' ? origin.sender_user_name.trim() : '') ||
    title(origin.sender_chat) ||
    title(origin.chat) ||
    title(chat);
  return [name, signature].filter(Boolean).join(', ');
}

/** A poll the citizen made: its question and options, as text. */
function pollOf(message: Json): string | undefined {
  if (!isObject(message.poll)) return undefined;
  const question = typeof message.poll.question === 'string' ? message.poll.question.trim() : '';
  const options = Array.isArray(message.poll.options)
    ? message.poll.options
        .map((o) => (isObject(o) && typeof o.text === 'string' ? o.text.trim() : ''))
        .filter(Boolean)
    : [];
  if (!question && options.length === 0) return undefined;
  return [`Опрос: ${question}`, ...options.map((o) => `— ${o}`)].join('\n');
}

// Message fields that are content we do not read. A sticker or a dice alone says nothing to a clerk (a thank-you,
// a reaction) and is left out, logged; the rest become an item that says what came.
const OTHER_CONTENT: { field: string; label: string; skip?: boolean }[] = [
  { field: 'sticker', label: 'стикер', skip: true },
  { field: 'dice', label: 'игральная кость', skip: true },
  { field: 'story', label: 'история' },
  { field: 'paid_media', label: 'платное медиа' },
  { field: 'game', label: 'игра' },
  { field: 'invoice', label: 'счёт' },
  { field: 'checklist', label: 'список задач' },
  { field: 'giveaway', label: 'розыгрыш' },
];

// Fields of every message (ids, dates, the sender, formatting): none of them is something the citizen wrote.
const MESSAGE_META = new Set([
  'message_id',
  'message_thread_id',
  'from',
  'sender_chat',
  'sender_boost_count',
  'sender_business_bot',
  'date',
  'business_connection_id',
  'chat',
  'forward_origin',
  'forward_from',
  'forward_from_chat',
  'forward_from_message_id',
  'forward_signature',
  'forward_sender_name',
  'forward_date',
  'is_topic_message',
  'is_automatic_forward',
  'reply_to_message',
  'external_reply',
  'quote',
  'reply_to_story',
  'via_bot',
  'edit_date',
  'has_protected_content',
  'is_from_offline',
  'media_group_id',
  'author_signature',
  'entities',
  'caption_entities',
  'link_preview_options',
  'effect_id',
  'show_caption_above_media',
  'has_media_spoiler',
  'reply_markup',
  'text',
  'caption',
]);

// Service notices a private chat may carry (Bot API 9.x): logged by kind and left out.
const SERVICE_NOTICES = new Set([
  'pinned_message',
  'message_auto_delete_timer_changed',
  'write_access_allowed',
  'users_shared',
  'chat_shared',
  'successful_payment',
  'refunded_payment',
  'connected_website',
  'passport_data',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'gift',
  'unique_gift',
  'paid_message_price_changed',
  'direct_message_price_changed',
  'checklist_tasks_done',
  'checklist_tasks_added',
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_winners',
  'giveaway_completed',
]);

function otherContentOf(message: Json): { kind: string; label: string; skip: boolean } | undefined {
  for (const spec of OTHER_CONTENT) {
    if (message[spec.field] !== undefined && message[spec.field] !== null)
      return { kind: spec.field, label: spec.label, skip: spec.skip ?? false };
  }
  const rest = Object.keys(message).filter((key) => !MESSAGE_META.has(key));
  if (rest.length === 0) return undefined;
  const unknown = rest.find((key) => !SERVICE_NOTICES.has(key));
  // A field we do not know is content newer than this code: a clerk sees that something came.
  if (unknown !== undefined) return { kind: safeKind(unknown), label: 'неизвестный тип', skip: false };
  return { kind: `service:${safeKind(rest[0])}`, label: 'служебное', skip: true };
}

/** Thread key of a message in a chat (the bot's, as `threadKeyOfSent` names it once delivered). */
export function sentMessageKey(chatId: number | string, messageId: number | string): string {
  return `sent:${chatId}:${messageId}`;
}

function placeOf(message: Json): { coordinates: string; address?: string } | undefined {
  const venue = isObject(message.venue) ? message.venue : undefined;
  const location = isObject(venue?.location)
    ? venue.location
    : isObject(message.location)
      ? message.location
      : null;
  if (!location) return undefined;
  const lat = optNumber(location, 'latitude');
  const lon = optNumber(location, 'longitude');
  if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    invalid('message.location', 'must have latitude and longitude');
  }
  const coordinates = `${lat},${lon}`;
  if (!venue) return { coordinates };
  const named = [venue.title, venue.address].filter((v) => typeof v === 'string' && v.trim()).join(', ');
  return { coordinates, address: named || undefined };
}

interface FileSpec {
  field: string;
  prefix: string;
  extension: string;
  contentType: string;
}

// `animation` is left out: Telegram sends an animation's file in `document` too.
const FILE_FIELDS: FileSpec[] = [
  { field: 'document', prefix: 'document', extension: '', contentType: 'application/octet-stream' },
  { field: 'audio', prefix: 'audio', extension: '.mp3', contentType: 'audio/mpeg' },
  { field: 'voice', prefix: 'voice', extension: '.ogg', contentType: 'audio/ogg' },
  { field: 'video', prefix: 'video', extension: '.mp4', contentType: 'video/mp4' },
  { field: 'video_note', prefix: 'video-note', extension: '.mp4', contentType: 'video/mp4' },
];

function attachmentsOf(message: Json, messageId: number): InboundAttachment[] {
  const out: InboundAttachment[] = [];
  if (message.photo !== undefined) {
    if (!Array.isArray(message.photo) || message.photo.length === 0)
      invalid('message.photo', 'must be a list');
    const sizes = message.photo.map((size, i) => {
      if (!isObject(size)) invalid(`message.photo[${i}]`, 'must be an object');
      if (typeof size.file_id !== 'string' || !size.file_id)
        invalid(`message.photo[${i}].file_id`, 'is missing');
      return size;
    });
    // Telegram lists sizes smallest first; pick by area, then bytes, not by position.
    const area = (s: Json) => (optNumber(s, 'width') ?? 0) * (optNumber(s, 'height') ?? 0);
    const largest = sizes.reduce((best, s) =>
      area(s) > area(best) ||
      (area(s) === area(best) && (optNumber(s, 'file_size') ?? 0) > (optNumber(best, 'file_size') ?? 0))
        ? s
        : best,
    );
    out.push({
      fileName: `photo-${safeId(largest, messageId)}.jpg`,
      contentType: 'image/jpeg',
      remoteRef: largest.file_id as string,
      ...sizeOf(largest),
      ...uniqueKeyOf(largest),
    });
  }
  for (const spec of FILE_FIELDS) {
    const file = message[spec.field];
    if (file === undefined) continue;
    if (!isObject(file)) invalid(`message.${spec.field}`, 'must be an object');
    if (typeof file.file_id !== 'string' || !file.file_id)
      invalid(`message.${spec.field}.file_id`, 'is missing');
    const ownName = typeof file.file_name === 'string' ? safeFileName(file.file_name) : '';
    const mime =
      typeof file.mime_type === 'string' && file.mime_type.includes('/') ? file.mime_type : undefined;
    out.push({
      fileName: ownName || `${spec.prefix}-${safeId(file, messageId)}${spec.extension || extensionFor(mime)}`,
      contentType: mime ?? spec.contentType,
      remoteRef: file.file_id,
      ...sizeOf(file),
      ...uniqueKeyOf(file),
    });
  }
  return out;
}

function sizeOf(file: Json): { size?: number } {
  const size = optNumber(file, 'file_size');
  return size !== undefined && size >= 0 ? { size } : {};
}

/**
 * `file_unique_id` is the same for one file whoever sends it and however often (unlike `file_id`): an edited
 * caption re-sends the message's photo, and the appeal already has it.
 */
function uniqueKeyOf(file: Json): { uniqueKey?: string } {
  const id = file.file_unique_id;
  return typeof id === 'string' && /^[\w-]{1,64}$/.test(id) ? { uniqueKey: `telegram:${id}` } : {};
}

function safeId(file: Json, messageId: number): string {
  const id =
    typeof file.file_unique_id === 'string' && file.file_unique_id ? file.file_unique_id : file.file_id;
  const safe = typeof id === 'string' ? id.replace(/[^\w-]/g, '') : '';
  return safe || String(messageId);
}

/** Telegram sends numbers in international form, with or without '+'. */
export function normalisePhone(raw: string): string | undefined {
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return undefined;
  if (digits.length === 11 && digits.startsWith('8')) return `+7${digits.slice(1)}`;
  return `+${digits}`;
}

function mapCallbackQuery(query: Json, pressedAt: Date): MappedUpdate {
  const callbackId = optString(query, 'id', 'callback_query.id');
  if (!callbackId) invalid('callback_query.id', 'is missing');
  const author = authorOf(obj(query, 'from', 'callback_query.from'), 'callback_query.from');
  const data = optString(query, 'data', 'callback_query.data');
  // A game's «Play» button carries the game's short name instead of data, and a button with neither says nothing:
  // no appeal, no answer of ours. Left out with the reason for the log (never the user or the game's name).
  if (data === undefined) {
    const game = query.game_short_name !== undefined && query.game_short_name !== null;
    return { items: [], events: [], skipped: game ? 'callback-game' : 'callback-without-data' };
  }

  // The message with the keyboard tells the chat; an inline-mode message has none, and then the private
  // chat with the user has the user's id.
  const message = isObject(query.message) ? query.message : undefined;
  const chat = message && isObject(message.chat) ? message.chat : undefined;
  const chatId = chat && typeof chat.id === 'number' ? chat.id : Number(author.externalId);
  const messageId = message && typeof message.message_id === 'number' ? message.message_id : undefined;
  // A button under a message sent through an official's business account: that chat, answered the same way.
  const business =
    message && typeof message.business_connection_id === 'string' && message.business_connection_id
      ? message.business_connection_id
      : undefined;
  // …or under a message in a citizen's topic of the official channel's direct messages: that topic.
  const topic =
    chat?.is_direct_messages === true && message && isObject(message.direct_messages_topic)
      ? optNumber(message.direct_messages_topic, 'topic_id')
      : undefined;
  const key =
    business !== undefined
      ? `business:${chatId}`
      : topic !== undefined
        ? `direct:${chatId}:${topic}`
        : `chat:${chatId}`;
  const thread = { key };
  const replyAddress = {
    chatId,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(business !== undefined ? { businessConnectionId: business } : {}),
    ...(topic !== undefined ? { directMessagesTopicId: topic } : {}),
  };
  const receivedAt = pressedAt.toISOString();

  const press = { channel: Channel.Telegram, receivedAt, author, thread, replyAddress, callbackId };
  const meaning = parseCallbackData(data);
  const event =
    meaning.kind === 'rating'
      ? buttonRatingEvent(press, callbackId, meaning)
      : interactionEvent(press, callbackId, meaning.kind === 'consent' ? 'consent' : 'button', data);
  return { items: [], events: [event] };
}
