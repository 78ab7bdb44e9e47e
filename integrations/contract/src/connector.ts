import { createHash } from 'node:crypto';
import { type Channel, type ConnectorKind } from './channel';
import { ConnectorError, ConnectorErrorCode } from './connector-error';
import { type FetchedFile, type InboundEvent, type StatusUpdate } from './inbound-event';
import { type InboundItem } from './inbound-item';

/** An account of the inbox in a channel: a ПОС organisation, a mailbox, a bot, a community. */
export interface ChannelAccountRef {
  id: string;
  channel: Channel;
  /** Non-secret settings (base URL, mailbox, group id). */
  settings: Record<string, unknown>;
  /** Secrets resolved from config for this account only (tokens, passwords). */
  secrets: Record<string, string>;
  /**
   * What the connector keeps of this account between calls, when the core gives it a place (the registry does;
   * a connector must work without it): the same in every process and across restarts.
   */
  state?: AccountState;
}

/**
 * A connector's own small values for one account, by its own keys (the core reads none of them). The core keeps
 * the newest ACCOUNT_STATE_KEPT keys of an account (by last `set`); an older one reads as never set.
 */
export interface AccountState {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** How many keys of an account's state the core keeps, the newest by last `set`. */
export const ACCOUNT_STATE_KEPT = 10_000;

export interface PullPage {
  items: InboundItem[];
  /** Ratings, delivery states and the like that came with the page. */
  events?: InboundEvent[];
  /** Cursor to store with the page, in the same transaction as the items. */
  nextCursor: unknown;
  /** True when the remote side says there is more right now. */
  hasMore: boolean;
  /** Inputs the connector could not read: the core quarantines each whole, with the reason. */
  rejected?: { externalId?: string; reason: string; raw?: unknown }[];
  /** Inputs left out on purpose (auto-replies, group chats), with the reason. */
  skipped?: { externalId?: string; reason: string }[];
}

export interface OutboundMessage {
  /** Our id: the idempotency key of the send. */
  id: string;
  kind: 'answer' | 'status-notice' | 'registration-notice' | 'rating-request' | 'bot-reply';
  text: string;
  /** Reply buttons, in rows (Telegram inline keyboard, VK keyboard); `id` comes back as the button's value. */
  choices?: { id: string; label: string }[][];
  subject?: string;
  /** The reply address the connector put on the inbound item. */
  replyAddress?: Record<string, unknown>;
  /** Where to send when there is no reply address (an e-mail address, a phone). */
  recipient?: { email?: string; phone?: string; name?: string };
  attachments?: { fileName: string; contentType: string; contentBase64: string }[];
  /** Links the receiver may use to thread the answer (registration number, the original external id). */
  references?: {
    registrationNumber: string;
    externalId?: string;
    /** When we registered the appeal (ISO instant): the date of the number, as a registration notice states it. */
    registeredAt?: string;
    /** The registering organisation's IANA zone: every date we write for this appeal is a day there. */
    timeZone?: string;
  };
}

/**
 * Where a send in several messages stands (a long text in parts, then files: Telegram, OK), so that a retry resumes it
 * instead of giving the citizen the parts they have again — neither channel drops a repeat. Parts are numbered from 0
 * as the connector splits the message; the same message splits the same way on every attempt.
 */
export interface PartsProgress {
  /** The channel's ids of the parts an earlier attempt got out, in order: the connector sends only the parts after them. */
  readonly sent: readonly string[];
  /** How many parts that attempt counted; a message that no longer splits so is not resumed (InvalidPayload). */
  readonly total?: number;
  /**
   * What each part out was (partDigest of its content), beside `sent`: a message whose parts out now read otherwise
   * is not resumed, whatever its count of parts. Absent for parts recorded before digests were kept.
   */
  readonly digests?: readonly string[];
  /**
   * Part `index` of `total` went out as `remoteId`, its content's digest `digest` (partDigest): awaited before the
   * next part goes, so the core has it on record first. A rejection stops the send (nothing more goes out) and is
   * thrown on as it is.
   */
  partSent(index: number, total: number, remoteId: string, digest: string): Promise<void>;
}

/** A part's fingerprint (its text, a file's bytes): what a resumed send compares with the part that went out. */
export function partDigest(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('base64url');
}

/**
 * The parts of a send still to go, after those an earlier attempt got out (`progress`): an index to start at, or a
 * refusal when the message no longer splits as it did — another count of parts, or a part out that now reads
 * otherwise (`digests`, the partDigest of each part as the message splits now). Nothing is sent then: the parts out
 * would not fit the rest.
 */
export function firstUnsentPart(
  progress: PartsProgress | undefined,
  digests: readonly string[],
  what: string,
): number {
  const sent = progress?.sent.length ?? 0;
  if (sent === 0) return 0;
  const total = digests.length;
  const before = progress?.total;
  const changedAt =
    sent > total ? -1 : (progress?.digests ?? []).slice(0, sent).findIndex((d, i) => d !== digests[i]);
  if ((before !== undefined && before !== total) || sent > total || changedAt >= 0) {
    const why =
      changedAt >= 0
        ? `part ${changedAt + 1} now reads otherwise than the part that went out`
        : `the message now splits into ${total}`;
    throw new ConnectorError(
      ConnectorErrorCode.InvalidPayload,
      `${what}: ${sent} of ${before ?? '?'} parts went out earlier, and ${why}`,
      { fields: { text: 'Текст сообщения изменился после отправки его первых частей' }, partsChanged: true },
    );
  }
  return sent;
}

export interface DeliveryReceipt {
  /** The channel's id of what was sent (message id, comment id). */
  remoteId?: string;
  sentAt: string;
}

/** The raw inbound request as the HTTP layer saw it, for push channels and forms. */
export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  query?: Record<string, unknown>;
  files?: { fieldName: string; fileName: string; contentType: string; buffer: Buffer }[];
}

export type ParseResult =
  | {
      kind: 'items';
      items: InboundItem[];
      events?: InboundEvent[];
      /**
       * Authenticated inputs the connector could not read: the core keeps each whole with the reason (quarantine,
       * shown to staff) and answers the channel as for any accepted notification, so it does not re-send forever.
       */
      rejected?: PullPage['rejected'];
    }
  /** A protocol reply the channel expects instead of items (VK confirmation string, a ping). */
  | { kind: 'reply'; body: string; contentType?: string };

/**
 * One class per channel. It knows the channel's protocol and nothing about appeals; it throws only
 * ConnectorError, and the core decides to retry, back off, quarantine or mark the account failed.
 */
export interface Connector {
  readonly channel: Channel;
  readonly mode: 'pull' | 'push' | 'both';
  check(account: ChannelAccountRef): Promise<void>;
  pull?(account: ChannelAccountRef, cursor: unknown, limit: number): Promise<PullPage>;
  parseInbound?(account: ChannelAccountRef, request: InboundRequest): Promise<ParseResult>;
  /**
   * `progress`: for a channel that sends one message in several and cannot drop a repeat, the parts an earlier
   * attempt got out (skipped) and where each part is reported as it goes. The receipt's remoteId names every part,
   * the earlier ones too. A connector that sends one message whole ignores it.
   */
  send(
    account: ChannelAccountRef,
    message: OutboundMessage,
    progress?: PartsProgress,
  ): Promise<DeliveryReceipt>;
  acknowledge?(account: ChannelAccountRef, externalIds: string[]): Promise<void>;
  /** Report a status change of an item to the channel that owns it (ПОС). */
  pushStatus?(account: ChannelAccountRef, update: StatusUpdate): Promise<void>;
  /** Download a file the channel only referenced (Telegram file_id, VK photo URL). */
  fetchAttachment?(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile>;
}

/**
 * How the apps hand the channels library its connectors (integrations/catalog): per kind, a loader of the
 * connector's module that gives the factory of its connectors. The library calls a kind's loader only when an
 * account of that kind exists, so a process loads a channel's SDK only where that channel is configured.
 */
export type ConnectorLoaders = Record<ConnectorKind, () => Promise<() => Connector>>;
