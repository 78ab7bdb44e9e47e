import { type Channel } from './channel';

/**
 * Regime of an item: a ПОС-style *message* (outside 59-ФЗ; deadlines per topic) or a 59-ФЗ *appeal*.
 * It decides deadlines and mandatory notices.
 */
export type Regime = 'message' | 'appeal';

/** Who wrote. Everything here is personal data (152-ФЗ): it goes to its own table and never into logs. */
export interface InboundAuthor {
  /** The author's stable id in the channel (Telegram user id, VK user id, e-mail address…), when there is one. */
  externalId?: string;
  surname?: string;
  firstName?: string;
  patronymic?: string;
  /** A display name when the channel has no split name (social networks, e-mail "From"). */
  displayName?: string;
  email?: string;
  phone?: string;
  postalAddress?: string;
  /** СНИЛС (the insurance number ПОС has from Gosuslugi), written «123-456-789 64». */
  snils?: string;
}

export interface InboundAttachment {
  fileName: string;
  contentType: string;
  /** Base64 content, for channels that deliver the bytes inline (web form, e-mail, МЭДО). */
  contentBase64?: string;
  /** Where the connector can fetch the file later (a channel file id) when the bytes are not inline. */
  remoteRef?: string;
  /** Size in bytes as the channel reports it. */
  size?: number;
  /**
   * The channel's stable identity of the file (Telegram's `file_unique_id`), when it has one: a follow-up does not
   * attach again a file its appeal already has under the same key (an edited caption re-sends the same photo).
   */
  uniqueKey?: string;
}

/**
 * What a connector produces from one remote item, whatever the channel. Connectors fill what the channel
 * knows; the core turns it into an appeal or a follow-up on an existing one.
 */
export interface InboundItem {
  channel: Channel;
  /** Stable id in the channel: the dedupe key, unique per channel. */
  externalId: string;
  /** When the channel received it (ISO 8601 instant). */
  receivedAt: string;
  regime?: Regime;
  author: InboundAuthor;
  subject?: string;
  text: string;
  attachments?: InboundAttachment[];
  /** Where the problem is, as the citizen wrote it. */
  address?: string;
  /** OKTMO or the region's own territory code, when known. */
  territoryCode?: string;
  /** The channel's own category (e.g. ПОС subject / subsubject), kept beside ours. */
  channelCategory?: { id: string; name?: string; subcategoryId?: string; subcategoryName?: string };
  /** The channel says this item is fast-track (ПОС flag). */
  fastTrack?: boolean;
  /**
   * Conversation the item belongs to. `key` names this item's thread (a chat, a dialogue, a Message-ID);
   * `refersTo` lists keys it answers (In-Reply-To / References), so a follow-up joins the open appeal.
   * `registrationNumber`: the number of the appeal the item answers when the channel lost the keys (a mail client
   * that drops In-Reply-To keeps our subject's «№ 2026-000123»); it joins that appeal only when the appeal's
   * applicant is this item's author in the same channel, so a stranger quoting a number opens an appeal of their own.
   */
  thread?: { key: string; refersTo?: string[]; registrationNumber?: string };
  /**
   * Opaque to the core: what `send` needs later to answer in the same place (chat id, comment id…). One key the
   * core reads: `public: true` marks a place everyone reads (a comment under a post), where only the registration
   * notice and the answer go.
   */
  replyAddress?: Record<string, unknown>;
  /** The organisation the item was addressed to, in the channel's terms (ПОС opaId, МЭДО addressee). */
  addressee?: { externalId?: string; code?: string; name?: string };
  /** Registration instant given by the source system (import); otherwise the inbox registers it now. */
  registeredAt?: string;
  /** Extra structured fields for classification (object type, district…), free-form. */
  features?: Record<string, string>;
}
