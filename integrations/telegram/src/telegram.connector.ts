import { timingSafeEqual, createHash } from 'node:crypto';
import { posix } from 'node:path';
import { JsonLogger } from '@inbox/common';
import {
  type AcknowledgesInteractions,
  Channel,
  type ChannelAccountRef,
  type Choices,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  contentTypeOf,
  type DeliveryReceipt,
  type FetchedFile,
  type HasButtons,
  type InboundEvent,
  type InboundItem,
  type InboundRequest,
  type InteractionAck,
  type NeedsSetUp,
  type OutboundMessage,
  type ParseResult,
  PHONE_CHOICE_ID,
  OCTET_STREAM,
  type PullPage,
  type RequestsPhone,
  type ThreadsSentMessages,
  splitText,
  errorSummary,
  isRecord,
  laterPartFailed,
  firstUnsentPart,
  partDigest,
  type PartsProgress,
  unreadableItemReason,
  accountConnections,
} from '@inbox/integrations/contract';
import { type Telegram } from 'telegraf';
import { clientFor, settingsOf } from './account';
import { assertCallbackData, ratingChoices } from './callback-data';
import { fileTooLargeToSend, redactToken, toConnectorError } from './errors';
import {
  ALLOWED_UPDATES,
  commentThreadOf,
  type MappedUpdate,
  mapUpdate,
  mergeMediaGroups,
  type PostCopy,
  postCopyFromJson,
  sentMessageKey,
  updateIdOf,
} from './update-mapper';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
export const MESSAGE_MAX_CHARS = 4096;
/** Channel posts' copies remembered across the accounts (a heading of about 400 characters each). */
const POST_COPIES_KEPT = 5000;
/**
 * Threads of a discussion group found to be no known post (a plain reply chain, a post from before the bot), per
 * account: each further reply there skips the state lookup for THREAD_UNKNOWN_MS. Short, because a post's copy
 * stored by another process meanwhile is only seen here once it expires (the copy coming here clears it at once).
 */
const UNKNOWN_THREADS_KEPT = 2000;
const THREAD_UNKNOWN_MS = 60_000;
const CALLBACK_ANSWER_MAX_CHARS = 200;
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** The Bot API takes uploads of 50 MB at most (HTTP 413 past it). */
const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
/** sendPhoto's 400 answers about the picture itself (PHOTO_INVALID_DIMENSIONS, IMAGE_PROCESS_FAILED…). */
const PHOTO_REFUSED = /: 400 Bad Request: (PHOTO_[A-Z_]+|IMAGE_PROCESS_FAILED)/;

type Signal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

/**
 * A Telegram bot through the Bot API (telegraf's client): long polling with getUpdates, or a webhook
 * guarded by the secret-token header. Private-chat messages become 'message'-regime items threaded per
 * chat; bot commands, button presses and ratings become events. The Bot API has no idempotency key, so
 * the core dedupes sends by outbound id, and a send in several messages reports each part as it goes (PartsProgress):
 * a retry resumes after the parts out.
 */
export class TelegramConnector
  implements Connector, AcknowledgesInteractions, HasButtons, NeedsSetUp, RequestsPhone, ThreadsSentMessages
{
  readonly channel = Channel.Telegram;
  readonly mode = 'both' as const;
  /** Telegram wraps long labels rather than cutting them; past this they stop being readable on a phone. */
  readonly buttonLabelMax = 64;
  readonly requestsPhone = true;

  /**
   * The channel posts' copies seen in discussion groups, per account (`<accountId> <groupId>:<copyId>`), newest
   * last: a reply to a neighbour's comment names its post only by the copy's id. A cache of the account's state
   * (`post-copy:<groupId>:<copyId>`), which every process shares and a restart keeps; as many as POST_COPIES_KEPT.
   */
  private readonly postCopies = new Map<string, PostCopy>();
  /** Threads the state had no copy for (same keys), with when that stops counting; oldest first. */
  private readonly unknownThreads = new Map<string, number>();

  constructor(
    private readonly logger: JsonLogger = new JsonLogger('telegram-connector'),
    private readonly now: () => number = Date.now,
  ) {}

  /** One update as the account reads it: the post copy of its thread looked up first, the copy it showed kept. */
  private async map(
    account: ChannelAccountRef,
    update: unknown,
    channelComments: boolean,
  ): Promise<MappedUpdate> {
    const key = (chatId: number, messageId: number) => `${account.id} ${chatId}:${messageId}`;
    const thread = channelComments ? commentThreadOf(update) : undefined;
    const at = thread && key(thread.chatId, thread.messageId);
    if (thread && at && account.state && !this.postCopies.has(at) && !this.knownUnknown(at)) {
      const { state } = account;
      const copy = postCopyFromJson(await stateCall(() => state.get(stateKeyOf(thread))));
      if (copy) this.keep(key(copy.chatId, copy.messageId), copy);
      else this.unknownThreads.set(at, this.now() + THREAD_UNKNOWN_MS);
      if (this.unknownThreads.size > UNKNOWN_THREADS_KEPT)
        this.unknownThreads.delete(this.unknownThreads.keys().next().value as string);
    }
    const mapped = mapUpdate(update, undefined, {
      channelComments,
      postCopy: (chatId, messageId) => this.postCopies.get(key(chatId, messageId)),
    });
    const copy = mapped.postCopy;
    if (copy && channelComments) {
      const at = key(copy.chatId, copy.messageId);
      const known = this.postCopies.get(at);
      this.keep(at, copy);
      const { state } = account;
      if (state && known?.heading !== copy.heading)
        await stateCall(() => state.set(stateKeyOf(copy), JSON.stringify(copy)));
    }
    return mapped;
  }

  /** Whether the state was found without a copy for this thread a short while ago. */
  private knownUnknown(at: string): boolean {
    const until = this.unknownThreads.get(at);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.unknownThreads.delete(at);
    return false;
  }

  private keep(at: string, copy: PostCopy): void {
    this.unknownThreads.delete(at);
    this.postCopies.delete(at);
    this.postCopies.set(at, copy);
    if (this.postCopies.size > POST_COPIES_KEPT)
      this.postCopies.delete(this.postCopies.keys().next().value as string);
  }

  async check(account: ChannelAccountRef): Promise<void> {
    const { telegram, settings } = clientFor(account);
    const me = await call('getMe', settings.requestTimeoutMs, (signal) =>
      telegram.callApi('getMe', {}, { signal }),
    );
    if (!me || me.is_bot !== true) {
      throw new ConnectorError(
        ConnectorErrorCode.AuthFailed,
        'Telegram getMe: the token does not belong to a bot',
      );
    }
  }

  /**
   * One long poll. The cursor is the next `offset` (last update_id + 1); passing it confirms everything
   * before it to Telegram. A single broken update is skipped (logged by id) so it cannot block the feed.
   */
  async pull(account: ChannelAccountRef, cursor: unknown, limit: number): Promise<PullPage> {
    const offset = parseCursor(cursor);
    const { telegram, settings } = clientFor(account);
    const pageSize = Math.min(100, Math.max(1, Math.floor(Number(limit) || 100)));
    const timeout = Math.floor(settings.pollTimeoutSeconds);
    const updates: unknown = await call('getUpdates', timeout * 1000 + settings.requestTimeoutMs, (signal) =>
      telegram.callApi(
        'getUpdates',
        { offset, limit: pageSize, timeout, allowed_updates: allowedUpdates() },
        { signal },
      ),
    );
    if (!Array.isArray(updates)) {
      throw new ConnectorError(
        ConnectorErrorCode.InvalidPayload,
        'Telegram getUpdates: result is not a list',
        {
          fields: { result: 'must be an array of Update' },
        },
      );
    }

    const items: InboundItem[] = [];
    const events: InboundEvent[] = [];
    const rejected: NonNullable<PullPage['rejected']> = [];
    let lastId: number | undefined;
    for (const update of updates) {
      let updateId: number | undefined;
      try {
        updateId = updateIdOf(update);
        lastId = lastId === undefined ? updateId : Math.max(lastId, updateId);
        const mapped = await this.map(account, update, settings.channelComments);
        if (mapped.skipped) this.logSkipped(account, updateId, mapped.skipped);
        await this.answerIgnoredPress(account, update, mapped.events);
        items.push(...mapped.items);
        events.push(...mapped.events);
      } catch (error) {
        // The account's trouble (Telegram away, a token refused) stops the page; an update we cannot read, or one
        // our reading throws on (a shape never seen, a bug), is kept whole for staff: it cannot block the feed.
        if (error instanceof ConnectorError && error.code !== ConnectorErrorCode.InvalidPayload) throw error;
        rejected.push(this.rejection(account, update, updateId ?? updateIdIn(update), error));
        await this.answerIgnoredPress(account, update, []);
      }
    }
    return {
      items: mergeMediaGroups(items),
      events,
      rejected,
      nextCursor: lastId !== undefined ? lastId + 1 : (offset ?? null),
      hasMore: updates.length >= pageSize,
    };
  }

  /**
   * The bot's messages in its chat (`remoteId`: the message ids of a send, comma-separated; one before the parts were
   * named): a reply to any of them names its key.
   */
  threadKeysOfSent(remoteId: string, replyAddress?: Record<string, unknown>): string[] {
    const chatId = replyAddress?.chatId;
    const ids = remoteId.split(',');
    if ((typeof chatId !== 'number' && typeof chatId !== 'string') || !ids.every((id) => /^\d+$/.test(id)))
      return [];
    // A business chat numbers its messages apart from the bot's own chat with the same person.
    const chat = businessOf(replyAddress) !== undefined ? `b${chatId}` : chatId;
    return ids.map((id) => sentMessageKey(chat, id));
  }

  /** Webhook: the secret header is checked before the body is looked at. */
  async parseInbound(account: ChannelAccountRef, request: InboundRequest): Promise<ParseResult> {
    verifySecret(account, request.headers);
    const { channelComments } = settingsOf(account);
    // Past the secret the update is Telegram's own: one we cannot read is kept for staff, and Telegram gets its
    // 200 (it would otherwise re-send it, and hold back every later update of the bot meanwhile).
    let update: unknown = request.body;
    try {
      update = decodeBody(request.body);
      const mapped = await this.map(account, update, channelComments);
      if (mapped.skipped) this.logSkipped(account, updateIdOf(update), mapped.skipped);
      await this.answerIgnoredPress(account, update, mapped.events);
      return { kind: 'items', items: mapped.items, events: mapped.events };
    } catch (error) {
      if (error instanceof ConnectorError && error.code !== ConnectorErrorCode.InvalidPayload) throw error;
      await this.answerIgnoredPress(account, update, []);
      return {
        kind: 'items',
        items: [],
        events: [],
        rejected: [this.rejection(account, update, updateIdIn(update), error)],
      };
    }
  }

  private rejection(
    account: ChannelAccountRef,
    update: unknown,
    updateId: number | undefined,
    error: unknown,
  ) {
    const fields = error instanceof ConnectorError ? (error.details.fields ?? {}) : {};
    this.logger.warn('Telegram update quarantined', {
      accountId: account.id,
      updateId,
      fields: Object.keys(fields),
      ...(error instanceof ConnectorError ? {} : { error: errorSummary(error) }),
    });
    return {
      ...(updateId !== undefined ? { externalId: `update:${updateId}` } : {}),
      reason:
        error instanceof ConnectorError
          ? `Обновление Telegram не удалось прочитать (${error.message})`
          : unreadableItemReason('Обновление Telegram', error),
      raw: Buffer.isBuffer(update) ? update.toString('utf8') : update,
    };
  }

  /**
   * A button press that brings no event of ours (a game's «Play», a button without data, a press we cannot read) is
   * answered here at once: unanswered, the citizen's button spins until Telegram gives up. A press that brings an
   * event is answered by the dialogue, with its words. Best effort: the update is handled whatever Telegram says.
   */
  private async answerIgnoredPress(
    account: ChannelAccountRef,
    update: unknown,
    events: InboundEvent[],
  ): Promise<void> {
    const press = isRecord(update) && isRecord(update.callback_query) ? update.callback_query : undefined;
    const callbackId = typeof press?.id === 'string' && press.id !== '' ? press.id : undefined;
    if (!callbackId || events.some((e) => 'callbackId' in e && e.callbackId === callbackId)) return;
    await this.acknowledgeInteraction(account, { callbackId }).catch((error: unknown) =>
      this.logger.warn('Telegram button press not answered', {
        accountId: account.id,
        updateId: updateIdIn(update),
        error: errorSummary(error),
      }),
    );
  }

  /** Left out on purpose (a group chat): one log line by update id and reason, never the text or the author. */
  private logSkipped(account: ChannelAccountRef, updateId: number, reason: string): void {
    this.logger.info('Telegram update skipped', { accountId: account.id, updateId, reason });
  }

  /**
   * The message's text in parts of 4096 characters, then each file, one message each: the reply reference on the
   * first, the buttons on the last. `progress`: the parts an earlier attempt got out are skipped, and each part is
   * reported before the next goes (the Bot API drops no repeat: a retry of the whole would give the citizen them again).
   */
  async send(
    account: ChannelAccountRef,
    message: OutboundMessage,
    progress?: PartsProgress,
  ): Promise<DeliveryReceipt> {
    const { telegram, settings } = clientFor(account);
    const address = message.replyAddress ?? {};
    const chatId = chatIdOf(address.chatId);
    const replyTo = messageIdOf(address.messageId);
    // Through an official's business account: every part on behalf of that account, in the citizen's chat there.
    const business = businessOf(address);
    // A direct message to the official channel: the answer goes into that citizen's topic of the channel's chat.
    const topic = messageIdOf(address.directMessagesTopicId);
    const onBehalf = {
      ...(business !== undefined ? { business_connection_id: business } : {}),
      ...(topic !== undefined ? { direct_messages_topic_id: topic } : {}),
    };
    // A person's own chat with the bot has a positive id; groups and channels have negative ones.
    const botChat = business === undefined && topic === undefined && Number(chatId) > 0;
    const keyboard = keyboardOf(message.choices, botChat);
    const chunks = splitText(message.text ?? '', MESSAGE_MAX_CHARS);
    const files = (message.attachments ?? []).map((file) => ({ ...file, buffer: decodeFile(file) }));
    // Before anything goes out: a file the Bot API will refuse (413) would leave the citizen half an answer.
    if (files.some((file) => file.buffer.length > UPLOAD_MAX_BYTES)) throw fileTooLargeToSend();
    if (chunks.length === 0 && files.length === 0) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'Telegram send: nothing to send', {
        fields: { text: 'Пустое сообщение' },
      });
    }

    const timeout = settings.requestTimeoutMs;
    const total = chunks.length + files.length;
    // What each part is, for a resumed send to check the parts out against: a text's words, a file's name and bytes.
    const digests = [
      ...chunks.map((chunk) => partDigest(chunk)),
      ...files.map((file) => partDigest(Buffer.concat([Buffer.from(`${file.fileName}\0`), file.buffer]))),
    ];
    const from = firstUnsentPart(progress, digests, 'Telegram send');
    const sentIds = (progress?.sent ?? []).slice(0, from).map(Number);
    // The reply reference goes on the first part, the keyboard on the last, so the buttons sit at the bottom.
    const replyOf = (index: number) =>
      index === 0 && replyTo !== undefined
        ? { message_id: replyTo, allow_sending_without_reply: true }
        : undefined;
    const markupOf = (index: number) => (index === total - 1 ? keyboard : undefined);
    const sent = async (index: number, messageId: number) => {
      sentIds.push(messageId);
      await progress?.partSent(index, total, String(messageId), digests[index]);
    };

    for (let index = from; index < chunks.length; index += 1) {
      const part = await sendPart(sentIds, total, 'sendMessage', timeout, (signal) =>
        telegram.callApi(
          'sendMessage',
          {
            ...onBehalf,
            chat_id: chatId,
            text: chunks[index],
            reply_parameters: replyOf(index),
            reply_markup: markupOf(index),
            link_preview_options: { is_disabled: true },
          },
          { signal },
        ),
      );
      await sent(index, part.message_id);
    }
    for (let index = Math.max(from, chunks.length); index < total; index += 1) {
      const file = files[index - chunks.length];
      const input = { source: file.buffer, filename: safeUploadName(file.fileName) };
      // Multipart bodies: telegraf serialises only reply_markup to JSON, so the reply reference goes as text.
      const reply = replyOf(index);
      const extra = {
        ...onBehalf,
        chat_id: chatId,
        reply_markup: markupOf(index),
        ...(reply ? { reply_parameters: JSON.stringify(reply) as never } : {}),
      };
      const asPhoto =
        PHOTO_TYPES.has(file.contentType.toLowerCase()) && file.buffer.length <= PHOTO_MAX_BYTES;
      let part: { message_id: number } | undefined;
      if (asPhoto) {
        try {
          part = await sendPart(sentIds, total, 'sendPhoto', timeout, (signal) =>
            telegram.callApi('sendPhoto', { ...extra, photo: input }, { signal }),
          );
        } catch (error) {
          // A picture Telegram will not take as a photo (a 600 dpi scan past 10 000 px, a long strip, an image it
          // cannot decode) goes out as a file, as it is: nothing was sent, and the answer must not stall on it.
          if (!(error instanceof ConnectorError) || !PHOTO_REFUSED.test(error.message)) throw error;
        }
      }
      part ??= await sendPart(sentIds, total, 'sendDocument', timeout, (signal) =>
        telegram.callApi('sendDocument', { ...extra, document: input }, { signal }),
      );
      await sent(index, part.message_id);
    }
    // Every part's id: the citizen may answer the last one (the file, the buttons) as well as the first.
    return { remoteId: sentIds.join(','), sentAt: new Date().toISOString() };
  }

  /** getFile, then the file from `<apiRoot>/file/bot<token>/<file_path>`, no larger than `maxFileBytes`. */
  async fetchAttachment(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile> {
    const { telegram, settings, token } = clientFor(account);
    if (!remoteRef) throw new ConnectorError(ConnectorErrorCode.NotFound, 'Telegram getFile: empty file id');
    const file = await call('getFile', settings.requestTimeoutMs, (signal) =>
      telegram.callApi('getFile', { file_id: remoteRef }, { signal }),
    );
    if (typeof file.file_size === 'number' && file.file_size > settings.maxFileBytes)
      throw tooLarge(settings.maxFileBytes);
    if (!file.file_path)
      throw new ConnectorError(ConnectorErrorCode.NotFound, 'Telegram getFile: no file_path');
    const path = file.file_path.split('/').map(encodeURIComponent).join('/');
    const url = new URL(`./file/bot${token}/${path}`, settings.apiRoot);

    let response: Response;
    const signal = AbortSignal.timeout(settings.downloadTimeoutMs);
    try {
      response = await fetch(url, { signal, dispatcher: accountConnections.dispatcher } as RequestInit);
    } catch (error) {
      throw toConnectorError(error, 'file download');
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw downloadError(response);
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > settings.maxFileBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(settings.maxFileBytes);
    }
    const content = await readLimited(response, settings.maxFileBytes);
    const fileName = posix.basename(file.file_path) || `file-${file.file_unique_id}`;
    return {
      fileName,
      contentType: downloadedTypeOf(fileName, response.headers.get('content-type')),
      content,
    };
  }

  /** answerCallbackQuery: stops the button's spinner, optionally with a short notice to the citizen. */
  async acknowledgeInteraction(account: ChannelAccountRef, ack: InteractionAck): Promise<void> {
    const { telegram, settings } = clientFor(account);
    const text = ack.text ? ack.text.slice(0, CALLBACK_ANSWER_MAX_CHARS) : undefined;
    await call('answerCallbackQuery', settings.requestTimeoutMs, (signal) =>
      telegram.callApi('answerCallbackQuery', { callback_query_id: ack.callbackId, text }, { signal }),
    );
  }

  ratingChoices(registrationNumber: string): Choices {
    return ratingChoices(registrationNumber);
  }

  /**
   * Once per worker start: the webhook (URL + secret) when the account is in webhook mode, else no webhook
   * at all, which getUpdates requires (Telegram answers 409 to polling while one is set).
   */
  async setUp(account: ChannelAccountRef): Promise<void> {
    const url = account.settings?.webhookUrl;
    if (account.settings?.mode === 'webhook' && typeof url === 'string' && url) {
      await setWebhook(account, url);
    } else {
      await deleteWebhook(account);
    }
  }

  /**
   * A webhook bot disabled or deleted: its webhook goes, so Telegram stops posting to an address that answers 404
   * (the updates wait at Telegram for getUpdates or a webhook set again). A polling bot has none to remove.
   */
  async tearDown(account: ChannelAccountRef): Promise<void> {
    if (account.settings?.mode === 'webhook') await deleteWebhook(account);
  }
}

/** Registers the webhook with the account's secret so that Telegram sends it in the secret-token header. */
export async function setWebhook(account: ChannelAccountRef, url: string): Promise<void> {
  const secret = account.secrets?.webhookSecret;
  if (!secret || !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw new ConnectorError(
      ConnectorErrorCode.AuthFailed,
      'secrets.webhookSecret must be 1-256 of A-Z a-z 0-9 _ -',
    );
  }
  const { telegram, settings } = clientFor(account);
  await call('setWebhook', settings.requestTimeoutMs, (signal) =>
    telegram.callApi(
      'setWebhook',
      { url, secret_token: secret, allowed_updates: allowedUpdates() },
      { signal },
    ),
  );
}

/** Removes the webhook, which getUpdates requires (Telegram answers 409 to polling while one is set). */
export async function deleteWebhook(account: ChannelAccountRef): Promise<void> {
  const { telegram, settings } = clientFor(account);
  await call('deleteWebhook', settings.requestTimeoutMs, (signal) =>
    telegram.callApi('deleteWebhook', { drop_pending_updates: false }, { signal }),
  );
}

/** The longest Telegram "retry after" a send waits out in place once part of it is out; longer goes to the core. */
const PART_WAIT_MAX_MS = 5000;
const PART_WAIT_TRIES = 3;

/**
 * One message of a send. The first goes as any call: a failure leaves nothing sent, and the core's retry is clean.
 * Once a part is out, a short 429 (Telegram's pace for one chat, about a message a second, trips on a long answer
 * with files) is waited out here: the rest of the answer follows at once rather than after the queue's back-off.
 * Any other failure then (a 502, a refused connection, a long 429) says how far the send got (laterPartFailed): the
 * core's retry sends only the parts not yet out.
 */
async function sendPart<T>(
  sentIds: number[],
  total: number,
  method: string,
  timeoutMs: number,
  run: (signal: Signal) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(method, timeoutMs, run);
    } catch (error) {
      const wait = error instanceof ConnectorError ? error.details.retryAfterMs : undefined;
      const waitable =
        sentIds.length > 0 &&
        attempt < PART_WAIT_TRIES &&
        error instanceof ConnectorError &&
        error.code === ConnectorErrorCode.RateLimited &&
        wait !== undefined &&
        wait <= PART_WAIT_MAX_MS;
      if (!waitable) {
        throw error instanceof ConnectorError
          ? laterPartFailed(error, `Telegram ${method}`, sentIds.length, total)
          : error;
      }
      await new Promise((done) => setTimeout(done, wait));
    }
  }
}

async function call<T>(method: string, timeoutMs: number, run: (signal: Signal) => Promise<T>): Promise<T> {
  try {
    return await run(AbortSignal.timeout(timeoutMs) as unknown as Signal);
  } catch (error) {
    throw toConnectorError(error, method);
  }
}

/** The account state's key of a post copy. */
function stateKeyOf(copy: { chatId: number; messageId: number }): string {
  return `post-copy:${copy.chatId}:${copy.messageId}`;
}

/** The account's state not reachable (our database): retried, as Telegram's own outage is, not the reply lost. */
async function stateCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw new ConnectorError(ConnectorErrorCode.Temporary, 'Telegram account state not reachable');
  }
}

function parseCursor(cursor: unknown): number | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  const value = typeof cursor === 'string' && /^-?\d+$/.test(cursor.trim()) ? Number(cursor) : cursor;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ConnectorError(
      ConnectorErrorCode.CursorInvalid,
      'Telegram cursor must be an update offset (integer)',
    );
  }
  return value;
}

function headerOf(headers: InboundRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function verifySecret(account: ChannelAccountRef, headers: InboundRequest['headers']): void {
  const expected = account.secrets?.webhookSecret;
  if (!expected) {
    throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'Telegram webhook: no webhookSecret configured', {
      status: 403,
    });
  }
  const given = headerOf(headers, SECRET_HEADER);
  if (!given) {
    throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'Telegram webhook: secret header missing', {
      status: 401,
    });
  }
  // Compare fixed-length digests so neither the content nor the length of the secret leaks through timing.
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  if (!timingSafeEqual(a, b)) {
    throw new ConnectorError(
      ConnectorErrorCode.AuthFailed,
      'Telegram webhook: secret header does not match',
      {
        status: 403,
      },
    );
  }
}

function isUpdateWithId(update: unknown): update is { update_id: number } {
  return (
    typeof update === 'object' &&
    update !== null &&
    Number.isSafeInteger((update as { update_id?: unknown }).update_id)
  );
}

function decodeBody(body: unknown): unknown {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) body = Buffer.from(body).toString('utf8');
  if (typeof body !== 'string') return body;
  const text = body.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'Telegram webhook: body is not JSON', {
      fields: { body: 'must be a JSON Update' },
    });
  }
}

function chatIdOf(value: unknown): number | string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^(-?\d+|@\w{5,})$/.test(value)) return value;
  throw new ConnectorError(
    ConnectorErrorCode.InvalidPayload,
    'Telegram send: replyAddress.chatId is missing',
    {
      fields: { replyAddress: 'Нет чата Telegram, в который можно ответить' },
    },
  );
}

/** The reply address may have been through JSON storage: a numeric string is fine too. */
function messageIdOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/** The business connection an answer goes through (`replyAddress.businessConnectionId`), if any. */
function businessOf(address: Record<string, unknown> | undefined): string | undefined {
  const id = address?.businessConnectionId;
  return typeof id === 'string' && id ? id : undefined;
}

/** Update kinds for getUpdates and setWebhook (telegraf's types predate the business ones). */
function allowedUpdates(): never {
  return [...ALLOWED_UPDATES] as never;
}

function keyboardOf(choices: OutboundMessage['choices'], phoneButton = true) {
  let rows = (choices ?? []).filter((row) => row.length > 0);
  // The phone button is a reply keyboard that asks for a contact in the bot's own private chat only: Telegram does
  // not take one on behalf of a business account, nor in a group or a channel's direct messages. There the citizen
  // is asked in words, and the other buttons stay.
  if (!phoneButton)
    rows = rows
      .map((row) => row.filter((choice) => choice.id !== PHONE_CHOICE_ID))
      .filter((row) => row.length > 0);
  if (rows.length === 0) return undefined;
  // Only a reply keyboard can ask for the contact; it folds away once pressed.
  if (rows.some((row) => row.some((choice) => choice.id === PHONE_CHOICE_ID))) {
    return {
      keyboard: rows.map((row) =>
        row.map((choice) =>
          choice.id === PHONE_CHOICE_ID
            ? { text: choice.label, request_contact: true }
            : { text: choice.label },
        ),
      ),
      one_time_keyboard: true,
      resize_keyboard: true,
    };
  }
  return {
    inline_keyboard: rows.map((row) =>
      row.map((choice) => {
        assertCallbackData(choice.id);
        return { text: choice.label, callback_data: choice.id };
      }),
    ),
  };
}

function decodeFile(file: { fileName: string; contentBase64: string }): Buffer {
  const buffer = Buffer.from(file.contentBase64 ?? '', 'base64');
  if (buffer.length === 0) {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'Telegram send: an attachment is empty', {
      fields: { attachments: `Файл «${file.fileName}» пуст` },
    });
  }
  return buffer;
}

/** The name goes into a multipart header: no quotes, line breaks or directories. */
function safeUploadName(name: string): string {
  const cleaned = (posix.basename(name.replace(/\\/g, '/')) || 'file')
    // eslint-disable-next-line no-control-regex
    .replace(/["\r\n\u0000-\u001f]/g, '_')
    .slice(0, 255);
  return cleaned || 'file';
}

function tooLarge(max: number): ConnectorError {
  return new ConnectorError(ConnectorErrorCode.InvalidPayload, `Telegram file is larger than ${max} bytes`, {
    fields: { attachment: `Файл больше ${Math.round(max / 1048576)} МБ` },
  });
}

function downloadError(response: Response): ConnectorError {
  const status = response.status;
  const message = redactToken(`Telegram file download: HTTP ${status}`);
  if (status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    return new ConnectorError(ConnectorErrorCode.RateLimited, message, {
      status,
      retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000,
    });
  }
  if (status === 401) return new ConnectorError(ConnectorErrorCode.AuthFailed, message, { status });
  if (status === 404 || status === 400)
    return new ConnectorError(ConnectorErrorCode.NotFound, message, { status });
  return new ConnectorError(ConnectorErrorCode.Temporary, message, { status });
}

async function readLimited(response: Response, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    if (!response.body) return Buffer.alloc(0);
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > max) {
        await response.body.cancel().catch(() => undefined);
        throw tooLarge(max);
      }
      parts.push(Buffer.from(chunk));
    }
  } catch (error) {
    throw toConnectorError(error, 'file download');
  }
  return Buffer.concat(parts);
}

/** The type the file's name says; else the type the download declared, unless that is only octet-stream. */
function downloadedTypeOf(fileName: string, header: string | null): string {
  const byName = contentTypeOf(fileName);
  if (byName !== OCTET_STREAM) return byName;
  const declared = header?.split(';')[0].trim().toLowerCase();
  return declared || OCTET_STREAM;
}

/** The update's id when it has a usable one, for the quarantine. */
function updateIdIn(update: unknown): number | undefined {
  return isUpdateWithId(update) ? update.update_id : undefined;
}
