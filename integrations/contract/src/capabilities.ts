import { Channel } from './channel';
import {
  type ChannelAccountRef,
  type Connector,
  type DeliveryReceipt,
  type OutboundMessage,
} from './connector';

/*
 * What the core may ask of a channel beyond the Connector's own methods. A connector implements a
 * capability by having its method; the core asks through the guards below and never knows the class behind
 * them (libs import no integrations/<channel>; the apps wire the connectors in).
 */

export type Choices = NonNullable<OutboundMessage['choices']>;

/**
 * Channels whose messages carry no files: OK's Bot API and its wall comments take text only. Known before a send (a
 * fact of the channel, not of an account), so the core tells the clerk while the answer is a draft and sends the
 * answer's text with the files named in it, rather than a send the connector refuses after approval.
 */
const TEXT_ONLY_CHANNELS: readonly string[] = [Channel.Ok];

/** Whether an answer's files reach the citizen through this channel (an appeal's `channel`). */
export function channelCarriesFiles(channel: string): boolean {
  return !TEXT_ONLY_CHANNELS.includes(channel);
}

/** The button value the bot's consent button carries in every channel with buttons (152-ФЗ consent). */
export const CONSENT_CHOICE_ID = 'consent:accept';

/**
 * A choice with this id asks the citizen for their phone number with one press (Telegram's `request_contact`
 * keyboard button): what comes back is a contact the connector maps onto the item's author. Offered only to
 * channels that can (`requestsPhone`); another would show it as an ordinary button that does nothing.
 */
export const PHONE_CHOICE_ID = 'contact:phone';

/** A button press to acknowledge: Telegram answerCallbackQuery, VK messages.sendMessageEventAnswer. */
export interface InteractionAck {
  /** The channel's id of the press (Telegram callback_query.id, VK event_id). */
  callbackId: string;
  /** A short notice the channel shows the citizen (Telegram's toast, VK's snackbar). */
  text?: string;
  /** Where the press happened, as the connector put it on the event. */
  replyAddress?: Record<string, unknown>;
  /** Who pressed, in the channel's terms. */
  authorExternalId?: string;
}

/** The channel shows a spinner on a pressed button until we answer the press. */
export interface AcknowledgesInteractions {
  acknowledgeInteraction(account: ChannelAccountRef, ack: InteractionAck): Promise<void>;
}

/** The channel has reply buttons under a message (Telegram inline keyboard, VK keyboard). */
export interface HasButtons {
  /** Longest button label the channel shows whole. */
  readonly buttonLabelMax: number;
  /** The two rating questions of S4 п. 27.3 as this channel's buttons, for a 'rating-request'. */
  ratingChoices(registrationNumber: string): Choices;
}

/** The channel can ask for the citizen's own phone number with one press (a choice of PHONE_CHOICE_ID). */
export interface RequestsPhone {
  readonly requestsPhone: true;
}

/** A category and its subcategories, as a channel's own rubricator lists them (ids as strings). */
export interface ChannelRubric {
  id: string;
  name: string;
  deleted: boolean;
}

export interface ChannelRubricator {
  regionId: string;
  regions: ChannelRubric[];
  categories: (ChannelRubric & { subcategories: ChannelRubric[] })[];
}

/** The channel keeps a rubricator of its own that the core mirrors (ПОС subjects and subsubjects). */
export interface RubricatorSource {
  /** With `previous` (what the core stored), whatever vanished comes back marked deleted. */
  syncRubricator(account: ChannelAccountRef, previous?: ChannelRubricator): Promise<ChannelRubricator>;
}

/**
 * The channel must be told where we are once per start: Telegram's webhook (or its removal before long
 * polling), OK's webhook subscription. Safe to repeat.
 */
export interface NeedsSetUp {
  setUp(account: ChannelAccountRef): Promise<void>;
  /**
   * The account is no longer ours to serve (disabled or deleted while running): the channel stops posting to us
   * (Telegram's webhook removed, OK's subscription cancelled), so it does not retry against our 404. Safe to repeat.
   */
  tearDown?(account: ChannelAccountRef): Promise<void>;
}

/**
 * What we send starts a thread replies can name (e-mail: our Message-ID; Telegram: the bot's message in its chat)
 * becomes a thread key of the appeal. `replyAddress` is where it was sent. One key for every message the send
 * made (an answer past the channel's limit goes out in parts, its files and its buttons in the last one): a reply
 * to any of them joins the appeal. Empty when there is no key.
 */
export interface ThreadsSentMessages {
  threadKeysOfSent(remoteId: string, replyAddress?: Record<string, unknown>): string[];
}

/**
 * Sending the same message twice is harmless: the channel drops a repeat carrying the idempotency key taken from our
 * message id (VK random_id, ПОС Idempotency-Key, МЭДО's package uid). After an attempt whose outcome is unknown (its
 * sender died between the channel's acceptance and our receipt) the core sends again; to a channel without it, never
 * blindly.
 */
export interface DropsRepeatedSends {
  readonly dropsRepeatedSends: true;
}

/**
 * What the channel says of one of our sends whose outcome we do not know (LooksUpSends): `sent`, with the receipt
 * to store (found on the channel's side by the id our message carries); `not-sent`, when the channel would have it
 * by now had it been accepted (so sending it is safe); `unknown`, when the channel cannot tell (`why`, for the log).
 */
export type SentLookup =
  | { kind: 'sent'; receipt: DeliveryReceipt }
  | { kind: 'not-sent' }
  | { kind: 'unknown'; why: string };

/**
 * The channel can be asked whether it has a message of ours (e-mail: our Message-ID in the mailbox's Sent folder).
 * After an attempt whose outcome is unknown the core asks before it holds the message for a person or sends it
 * again: found, it is stored as sent; surely absent, it is sent; otherwise held as before. A lookup that fails (the
 * server away) throws a temporary ConnectorError: the core asks again later, never sends blindly.
 */
export interface LooksUpSends {
  lookUpSent(account: ChannelAccountRef, message: Pick<OutboundMessage, 'id'>): Promise<SentLookup>;
}

export const looksUpSends = (c: Connector): c is Connector & LooksUpSends =>
  typeof (c as Partial<LooksUpSends>).lookUpSent === 'function';

export const dropsRepeatedSends = (c: Connector): c is Connector & DropsRepeatedSends =>
  (c as Partial<DropsRepeatedSends>).dropsRepeatedSends === true;

export const acknowledgesInteractions = (c: Connector): c is Connector & AcknowledgesInteractions =>
  typeof (c as Partial<AcknowledgesInteractions>).acknowledgeInteraction === 'function';

export const hasButtons = (c: Connector | undefined): c is Connector & HasButtons =>
  !!c && typeof (c as Partial<HasButtons>).ratingChoices === 'function';

export const isRubricatorSource = (c: Connector): c is Connector & RubricatorSource =>
  typeof (c as Partial<RubricatorSource>).syncRubricator === 'function';

export const needsSetUp = (c: Connector): c is Connector & NeedsSetUp =>
  typeof (c as Partial<NeedsSetUp>).setUp === 'function';

export const threadsSentMessages = (c: Connector): c is Connector & ThreadsSentMessages =>
  typeof (c as Partial<ThreadsSentMessages>).threadKeysOfSent === 'function';

export const requestsPhone = (c: Connector | undefined): c is Connector & RequestsPhone =>
  !!c && (c as Partial<RequestsPhone>).requestsPhone === true;
