import { type Channel } from './channel';
import { type InboundAuthor } from './inbound-item';

/** What a rating refers to, in the channel's terms: the original item, our number, or the conversation. */
export interface AppealRef {
  externalId?: string;
  registrationNumber?: string;
  threadKey?: string;
}

/**
 * The applicant's rating of an answer (S4 п. 27.3: "Получен ли ответ на вопрос? да/нет" and
 * "удовлетворён / частично / не удовлетворён"), or a channel's own scale that the core maps onto it.
 */
export interface RatingEvent {
  kind: 'rating';
  channel: Channel;
  /** Stable id of the rating in the channel: the dedupe key. */
  externalId: string;
  receivedAt: string;
  target: AppealRef;
  answered?: boolean;
  satisfaction?: 'satisfied' | 'partially' | 'not-satisfied';
  channelScore?: { value: number; max: number };
  comment?: string;
  author?: InboundAuthor;
  /** The channel's id of the button press that carried the rating, to acknowledge it. */
  callbackId?: string;
  /** Where the rating was given (the dialogue), for a thank-you. */
  replyAddress?: Record<string, unknown>;
}

/** News about something we sent: delivered, read, registered by the receiver (МЭДО), refused. */
export interface DeliveryStateEvent {
  kind: 'delivery-state';
  channel: Channel;
  externalId: string;
  receivedAt: string;
  /** Our outbound message id when the channel echoes it; else the channel's id of what we sent. */
  outboundMessageId?: string;
  remoteId?: string;
  state: 'delivered' | 'read' | 'registered' | 'refused' | 'failed';
  reason?: string;
  /** The receiver's registration number (МЭДО «Уведомление» «Зарегистрирован»). */
  remoteRegistrationNumber?: string;
}

/**
 * A conversational action in a bot (start, consent, "my appeals", a button press). The core decides what
 * it means and answers through `send`.
 */
export interface InteractionEvent {
  kind: 'interaction';
  channel: Channel;
  externalId: string;
  receivedAt: string;
  author: InboundAuthor;
  thread?: { key: string };
  replyAddress?: Record<string, unknown>;
  action: 'start' | 'help' | 'consent' | 'list-appeals' | 'appeal-status' | 'faq' | 'button';
  /** The button's data or the command's argument. */
  value?: string;
  /** The channel's id of the button press, to acknowledge it (Telegram answerCallbackQuery). */
  callbackId?: string;
}

/**
 * Something the channel no longer shows: the citizen deleted a message they had sent (`by: 'author'`), or the
 * channel itself took it back (`by: 'channel'`: ПОС moderation declined a message after it reached us). A registered
 * appeal is never erased for it (59-ФЗ: what was registered stays on record): the core notes it in the appeal's
 * history for the clerk. Something never registered needs nothing more.
 */
export interface WithdrawalEvent {
  kind: 'withdrawal';
  channel: Channel;
  /** Stable id of the withdrawal in the channel: the dedupe key. */
  externalId: string;
  receivedAt: string;
  /** The item withdrawn (its external id), as the connector named it when it came. */
  target: AppealRef;
  by: 'author' | 'channel';
  /** The channel's own words for why (ПОС's statusText or rejectReason); never the citizen's text. */
  reason?: string;
  author?: InboundAuthor;
}

/**
 * The citizen closed the dialogue to us, or opened it again: blocked the bot (Telegram `my_chat_member` «kicked»),
 * or unblocked it. While closed, nothing sent there reaches them; the core notes it on the appeal of that dialogue,
 * so staff answer another way instead of learning it from a failed delivery.
 */
export interface ReachabilityEvent {
  kind: 'reachability';
  channel: Channel;
  /** Stable id of the change in the channel: the dedupe key. */
  externalId: string;
  receivedAt: string;
  /** The dialogue (its thread key). */
  target: AppealRef;
  reachable: boolean;
  author?: InboundAuthor;
}

export type InboundEvent =
  | RatingEvent
  | DeliveryStateEvent
  | InteractionEvent
  | WithdrawalEvent
  | ReachabilityEvent;

/** A status change we report back to the channel that owns the item (ПОС status events). */
export interface StatusUpdate {
  externalId: string;
  status:
    | 'taken-to-work'
    | 'postponed'
    | 'forwarded-up'
    | 'forwarded-down'
    | 'answered'
    | 'registered'
    | 'refused';
  at: string;
  comment?: string;
  /** For forwards: the organisation in the channel's terms. */
  organisationExternalId?: string;
  /** For postponements: the new planned answer date. */
  plannedAnswerAt?: string;
}

/** A file fetched from the channel by the reference a connector put on an InboundAttachment. */
export interface FetchedFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/** Where and when a citizen did something in a messenger dialogue: what a rating or an interaction event carries. */
export interface DialogueTouch {
  channel: Channel;
  receivedAt: string;
  author: InboundAuthor;
  thread: { key: string };
  replyAddress: Record<string, unknown>;
  /** The channel's id of the button press, when it was one, to acknowledge it. */
  callbackId?: string;
}

/** A rating given with a button in the dialogue `touch.thread`: the appeal is named by its number. */
export function buttonRatingEvent(
  touch: DialogueTouch,
  externalId: string,
  rating: { registrationNumber: string; answered?: boolean; satisfaction?: RatingEvent['satisfaction'] },
): RatingEvent {
  return {
    kind: 'rating',
    channel: touch.channel,
    externalId,
    receivedAt: touch.receivedAt,
    target: { registrationNumber: rating.registrationNumber, threadKey: touch.thread.key },
    ...(rating.answered !== undefined ? { answered: rating.answered } : {}),
    ...(rating.satisfaction !== undefined ? { satisfaction: rating.satisfaction } : {}),
    author: touch.author,
    ...(touch.callbackId !== undefined ? { callbackId: touch.callbackId } : {}),
    replyAddress: touch.replyAddress,
  };
}

/** A command or a button press in the dialogue, for the core to read. */
export function interactionEvent(
  touch: DialogueTouch,
  externalId: string,
  action: InteractionEvent['action'],
  value?: string,
): InteractionEvent {
  return {
    kind: 'interaction',
    channel: touch.channel,
    externalId,
    receivedAt: touch.receivedAt,
    author: touch.author,
    thread: touch.thread,
    replyAddress: touch.replyAddress,
    action,
    ...(value !== undefined ? { value } : {}),
    ...(touch.callbackId !== undefined ? { callbackId: touch.callbackId } : {}),
  };
}
