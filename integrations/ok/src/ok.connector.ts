import { createHash, timingSafeEqual } from 'node:crypto';
import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  type DeliveryReceipt,
  type FetchedFile,
  type InboundItem,
  type InboundRequest,
  type NeedsSetUp,
  type OutboundMessage,
  type ParseResult,
  type PullPage,
  type ThreadsSentMessages,
  errorSummary,
  unreadableItemReason,
} from '@inbox/integrations/contract';
import { downloadAttachment } from '@inbox/integrations/contract';
import {
  decodeJsonBody,
  isEmojiOnly,
  isRecord,
  firstUnsentPart,
  partDigest,
  laterPartFailed,
  type PartsProgress,
  splitText,
} from '@inbox/integrations/contract';
import { OkApi } from './ok-api';
import { OkRest } from './ok-rest';
import { type OkSettings, type OkWallSettings, okSettings } from './ok-settings';
import { commentItem, readComments, readTopics, topicItem, wallThreadKeys } from './ok-wall';
import { okChatKind, parseOkWebhook, sentThreadKey } from './ok-webhook';

/** The query parameter carrying the per-account shared secret on our webhook URL. */
export const OK_SECRET_PARAM = 'secret';
const CHAT_ID = /^chat:[\w.-]+$/;
/** Wall ids: numeric topic ids, comment ids as OK gives them (base64-like). */
const WALL_ID = /^[\w=+/-]{1,200}$/;
/** Re-read this much before the newest thing seen: a late write is not missed, a repeat is a duplicate. */
const WALL_OVERLAP_MS = 60_000;
const WALL_COMMENT_PAGES = 5;
/**
 * The longest text sent in one OK message or wall comment; a longer answer goes out in parts, in order. OK's Bot API
 * and REST documentation state no limit for `message.text` or `discussions.comment`; the bot API of the same family
 * (TamTam, now Max) refuses texts over 4000 characters, so 4000 is the conservative bound for both.
 */
export const OK_TEXT_MAX_CHARS = 4000;

/**
 * Sends the parts one after another, after those an earlier attempt got out (`progress`), each reported before the
 * next goes. OK has no idempotency key: a retry of the whole would give the citizen the earlier parts again, so a
 * later part's failure says how far the send got (laterPartFailed) and the core's retry resumes there. Every part's
 * id, the earlier ones first.
 */
async function sendParts(
  parts: string[],
  what: string,
  progress: PartsProgress | undefined,
  sendOne: (part: string) => Promise<string>,
): Promise<string[]> {
  const digests = parts.map((part) => partDigest(part));
  const from = firstUnsentPart(progress, digests, what);
  const ids = (progress?.sent ?? []).slice(0, from);
  for (let index = from; index < parts.length; index += 1) {
    let id: string;
    try {
      id = await sendOne(parts[index]);
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      throw laterPartFailed(error, what, ids.length, parts.length);
    }
    ids.push(id);
    await progress?.partSent(index, parts.length, id, digests[index]);
  }
  return ids;
}

/** OK gets text only: attachments are refused (not dropped), an empty text too. */
function textOnly(message: OutboundMessage): void {
  if (message.attachments?.length) {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'OK connector does not send attachments', {
      fields: {
        attachments: 'Вложения в Одноклассники не отправляются: приложите ссылку или ответьте иным способом',
      },
    });
  }
  if (!message.text || message.text.trim() === '') {
    throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'OK message without text', {
      fields: { text: 'Пустое сообщение' },
    });
  }
}

function sinceOf(cursor: unknown): number | undefined {
  const ms = isRecord(cursor) ? Number(cursor.sinceMs) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function firstString(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * OK (Odnoklassniki) group: messages through the Bot API (webhook in, messages out), and the group's wall — citizens'
 * topics and comments — through the REST API (pulled, answered by a comment in the thread), as VK's wall.
 *
 * Account: settings { apiBaseUrl? (default https://api.ok.ru/graph), requestTimeoutMs?, maxAttachmentBytes?,
 * attachmentHosts?, and for the wall groupId, applicationKey, restUrl? (default https://api.ok.ru/fb.do),
 * wallTopics?, wallLookbackMs? }, secrets { accessToken, webhookSecret, applicationSecretKey (wall) }.
 *
 * OK signs nothing it POSTs to a webhook. So the webhook URL we subscribe carries a per-account shared secret in
 * the query (`?secret=…`, added by subscribeWebhook) and parseInbound refuses a request without it — fail closed:
 * an account with no webhookSecret configured accepts nothing. (OK also names its source networks; an IP allow-list
 * at the proxy is a second line, not a replacement.)
 *
 * For the core: OK re-sends a webhook not answered HTTP 200 within 5 s (and drops a webhook silent for 8 hours), so
 * the controller must store the raw item and answer at once; re-sent messages keep their `mid`, our externalId.
 */
export class OkConnector implements Connector, NeedsSetUp, ThreadsSentMessages {
  readonly channel = Channel.Ok;
  readonly mode = 'both' as const;

  /** What each chat is (`<account>|<chat_id>` → kind): a chat does not change its kind; bounded. */
  private readonly chatKinds = new Map<string, 'private' | 'multi-user'>();

  constructor(private readonly logger: JsonLogger = new JsonLogger('ok-connector')) {}

  /** Once per worker start: the webhook subscription, when the account names its public URL. */
  async setUp(account: ChannelAccountRef): Promise<void> {
    const url = account.settings?.webhookUrl;
    if (typeof url === 'string' && url) await this.subscribeWebhook(account, url);
  }

  /** A disabled or deleted account: its webhook subscription is cancelled, so OK stops posting to us. */
  async tearDown(account: ChannelAccountRef): Promise<void> {
    const url = account.settings?.webhookUrl;
    if (typeof url !== 'string' || !url) return;
    if ((await this.listSubscriptions(account)).includes(this.webhookUrl(account, url)))
      await this.unsubscribeWebhook(account, url);
  }

  /**
   * The messages sent into a chat, or the comments on the wall (every part's mid or id, comma-separated): a citizen's
   * reply to any of them names its key and joins its appeal.
   */
  threadKeysOfSent(remoteId: string, replyAddress?: Record<string, unknown>): string[] {
    const chatId = replyAddress?.chatId;
    const topicId = replyAddress?.topicId;
    const ids = remoteId.split(',').filter(Boolean);
    if (typeof topicId === 'string' && topicId !== '')
      return ids.map((id) => wallThreadKeys.comment(topicId, id));
    if (typeof chatId !== 'string' || chatId === '') return [];
    return ids.map((id) => sentThreadKey(chatId, id));
  }

  /** GET /me/info: a valid token answers with the group's identity. */
  async check(account: ChannelAccountRef): Promise<void> {
    const info = await new OkApi(okSettings(account)).request('GET', '/me/info');
    if (!isRecord(info) || Object.keys(info).length === 0) {
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'OK /me/info: empty answer');
    }
  }

  /** The URL as it will be subscribed: with the account's shared secret in the query. */
  webhookUrl(account: ChannelAccountRef, url: string): string {
    const settings = okSettings(account);
    if (!settings.webhookSecret) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'OK account has no secrets.webhookSecret');
    }
    const withSecret = new URL(url);
    withSecret.searchParams.set(OK_SECRET_PARAM, settings.webhookSecret);
    return withSecret.toString();
  }

  /** URLs OK currently posts to (GET /me/subscriptions). They contain the secret: do not log them. */
  async listSubscriptions(account: ChannelAccountRef): Promise<string[]> {
    const answer = await new OkApi(okSettings(account)).request('GET', '/me/subscriptions');
    const list = Array.isArray(answer.subscriptions) ? answer.subscriptions : [];
    return list
      .filter(isRecord)
      .map((s) => s.url)
      .filter((u): u is string => typeof u === 'string');
  }

  /** POST /me/subscribe { url } with the secret added; a URL already subscribed is left as it is. */
  async subscribeWebhook(account: ChannelAccountRef, url: string): Promise<void> {
    const target = this.webhookUrl(account, url);
    if ((await this.listSubscriptions(account)).includes(target)) return;
    const answer = await new OkApi(okSettings(account)).request('POST', '/me/subscribe', { url: target });
    if (answer.success !== true)
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'OK /me/subscribe: not successful');
  }

  async unsubscribeWebhook(account: ChannelAccountRef, url: string): Promise<void> {
    const answer = await new OkApi(okSettings(account)).request('POST', '/me/unsubscribe', {
      url: this.webhookUrl(account, url),
    });
    if (answer.success !== true)
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'OK /me/unsubscribe: not successful');
  }

  /**
   * The group wall (REST API): the newest `wallTopics` topics (mediatopic.getTopics) and their comments
   * (discussions.getComments, up to 5 pages of 100 each), everything written since the cursor — citizens' topics and
   * comments become items, with their photos (downloaded by the fetcher); the group's own topics and comments (our
   * answers among them) are not. The cursor is the newest instant seen, a minute back (the items' ids make repeats
   * duplicates); the first pull reads `wallLookbackMs` back. An account without the wall settings has nothing to pull.
   */
  async pull(account: ChannelAccountRef, cursor: unknown): Promise<PullPage> {
    const settings = okSettings(account);
    const wall = settings.wall;
    if (!wall) return { items: [], nextCursor: cursor ?? null, hasMore: false };
    const rest = new OkRest(settings, wall);
    const since = sinceOf(cursor) ?? Date.now() - wall.lookbackMs;
    const answer = await rest.record('mediatopic.getTopics', {
      gid: wall.groupId,
      count: String(wall.topics),
      fields: 'media_topic.*,user.first_name,user.last_name,group_photo.*',
    });
    const { topics, names, problems } = readTopics(answer);
    const page: PullPage & { rejected: NonNullable<PullPage['rejected']> } = {
      items: [],
      nextCursor: null,
      hasMore: false,
      rejected: problems,
    };
    let newest = since;
    for (const topic of topics) {
      newest = Math.max(newest, topic.createdMs);
      if (topic.authorRef.startsWith('user:') && topic.createdMs >= since)
        page.items.push(topicItem(topic, names));
      if (topic.commentsCount === 0) continue;
      newest = Math.max(newest, await this.pullComments(rest, wall, topic.id, since, page));
    }
    page.nextCursor = { sinceMs: Math.max(since, newest - WALL_OVERLAP_MS) };
    return page;
  }

  private async pullComments(
    rest: OkRest,
    wall: OkWallSettings,
    topicId: string,
    since: number,
    page: PullPage & { rejected: NonNullable<PullPage['rejected']> },
  ): Promise<number> {
    let newest = 0;
    let anchor: string | undefined;
    for (let n = 0; n < WALL_COMMENT_PAGES; n++) {
      const answer = await rest.record('discussions.getComments', {
        discussionId: topicId,
        discussionType: 'GROUP_TOPIC',
        count: '100',
        fields: 'comment.*,group_photo.*',
        ...(anchor ? { anchor } : {}),
      });
      const { comments, problems } = readComments(topicId, answer);
      page.rejected.push(...problems);
      for (const comment of comments) {
        newest = Math.max(newest, comment.dateMs);
        const ours = comment.byGroup || comment.authorId === wall.groupId;
        // Emoji alone under a topic («👍») are a reaction, not a message to answer.
        const reaction = comment.photos.length === 0 && isEmojiOnly(comment.text);
        if (!ours && !reaction && comment.dateMs >= since) page.items.push(commentItem(topicId, comment));
      }
      anchor = typeof answer.anchor === 'string' && answer.anchor ? answer.anchor : undefined;
      if (answer.has_more !== true || !anchor) break;
    }
    return newest;
  }

  /** A webhook POST: the secret first, then MESSAGE_CREATED → one item; every other type → nothing (answer 200). */
  async parseInbound(account: ChannelAccountRef, request: InboundRequest): Promise<ParseResult> {
    const settings = okSettings(account);
    if (!settings.webhookSecret) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'OK account has no secrets.webhookSecret');
    }
    if (!sameSecret(firstString(request.query?.[OK_SECRET_PARAM]), settings.webhookSecret)) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'OK webhook secret missing or wrong');
    }
    const body = decodeJsonBody(request.body);
    let parsed: ReturnType<typeof parseOkWebhook>;
    try {
      parsed = parseOkWebhook(body);
    } catch (error) {
      // A message our reading throws on (a shape never seen, a bug): kept for staff, and OK gets its 200.
      this.logger.write('warn', 'ok webhook quarantined', {
        accountId: account.id,
        error: errorSummary(error),
      });
      return {
        kind: 'items',
        items: [],
        events: [],
        rejected: [{ reason: unreadableItemReason('Сообщение OK', error), raw: body }],
      };
    }
    // Past the secret the notification is OK's own: one we cannot read is kept whole for staff and answered
    // 200 like any other, so OK does not re-send it (nor hold the chat's later messages back).
    if (parsed.problem) {
      this.logger.write('warn', 'ok webhook quarantined', { accountId: account.id, reason: parsed.problem });
      return {
        kind: 'items',
        items: [],
        events: [],
        rejected: [
          { reason: `Сообщение OK не удалось прочитать (OK webhook: ${parsed.problem})`, raw: body },
        ],
      };
    }
    if (parsed.skipped)
      this.logger.write('info', 'ok webhook skipped', { accountId: account.id, reason: parsed.skipped });
    const items: InboundItem[] = [];
    for (const item of parsed.items) {
      const chatId = String(item.replyAddress?.chatId ?? '');
      const kind = await this.chatKind(account, settings, chatId);
      // A chat several people write in is not one citizen's dialogue with the group (as VK's and Telegram's group
      // chats are not): its chatter is no appeal, and an answer there would be read by all of them.
      if (kind === 'multi-user') {
        this.logger.write('info', 'ok webhook skipped', { accountId: account.id, reason: 'group-chat' });
        continue;
      }
      // Not known (OK did not say): taken as the dialogue it almost always is, but marked, so staff can tell.
      items.push(kind ? item : { ...item, features: { ...item.features, chatKind: 'unverified' } });
    }
    return { kind: 'items', items, events: [] };
  }

  /**
   * Whether a chat is one citizen's dialogue with the group: GET /me/chat/<chat_id>, once per chat (see okChatKind).
   * Undefined when OK does not answer within a short wait (the webhook must be answered within 5 s).
   */
  private async chatKind(
    account: ChannelAccountRef,
    settings: OkSettings,
    chatId: string,
  ): Promise<'private' | 'multi-user' | undefined> {
    if (!CHAT_ID.test(chatId)) return undefined;
    const key = `${account.id}|${chatId}`;
    const known = this.chatKinds.get(key);
    if (known) return known;
    let kind: 'private' | 'multi-user';
    try {
      const api = new OkApi({ ...settings, requestTimeoutMs: Math.min(settings.requestTimeoutMs, 2_500) });
      kind = okChatKind(await api.request('GET', `/me/chat/${chatId}`));
    } catch (error) {
      this.logger.write('warn', 'ok chat kind unknown', {
        accountId: account.id,
        error: error instanceof ConnectorError ? error.code : 'error',
      });
      return undefined;
    }
    if (this.chatKinds.size >= 10_000) this.chatKinds.clear();
    this.chatKinds.set(key, kind);
    return kind;
  }

  /**
   * POST /me/messages/<chat_id> { recipient: { chat_id }, message: { text } }. OK has no idempotency key for
   * messages: a send retried after a lost answer can reach the chat twice. Buttons (`choices`) are not sent — OK's
   * keyboard and callback shapes are not confirmed by a sample yet — and attachments are refused, not dropped.
   */
  async send(
    account: ChannelAccountRef,
    message: OutboundMessage,
    progress?: PartsProgress,
  ): Promise<DeliveryReceipt> {
    const settings = okSettings(account);
    if (message.replyAddress?.topicId !== undefined) return this.sendComment(settings, message, progress);
    const raw = message.replyAddress?.chatId;
    const chatId =
      typeof raw === 'string' && raw !== '' ? (raw.startsWith('chat:') ? raw : `chat:${raw}`) : undefined;
    if (!chatId || !CHAT_ID.test(chatId)) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'OK reply address needs chatId', {
        fields: { replyAddress: 'missing chatId' },
      });
    }
    textOnly(message);
    const api = new OkApi(settings);
    const ids = await sendParts(
      splitText(message.text ?? '', OK_TEXT_MAX_CHARS),
      'OK /me/messages',
      progress,
      async (text) => {
        const answer = await api.request('POST', `/me/messages/${chatId}`, {
          recipient: { chat_id: chatId },
          message: { text },
        });
        if (answer.success === false)
          throw new ConnectorError(ConnectorErrorCode.Temporary, 'OK /me/messages: not successful');
        const remoteId = answer.message_id ?? answer.mid;
        return typeof remoteId === 'string' || typeof remoteId === 'number' ? String(remoteId) : '';
      },
    );
    // Every part's id: a citizen's reply to any part of the answer threads on it.
    return { remoteId: ids.filter(Boolean).join(',') || undefined, sentAt: new Date().toISOString() };
  }

  /**
   * An answer on the wall: discussions.comment under the topic as the group (`as_admin`), a reply to the citizen's
   * comment when there is one. Text only, as in messages; no idempotency key here either.
   */
  private async sendComment(
    settings: OkSettings,
    message: OutboundMessage,
    progress: PartsProgress | undefined,
  ): Promise<DeliveryReceipt> {
    const { topicId, commentId } = message.replyAddress ?? {};
    if (typeof topicId !== 'string' || !WALL_ID.test(topicId)) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'OK wall reply address needs topicId', {
        fields: { replyAddress: 'missing topicId' },
      });
    }
    if (!settings.wall) {
      throw new ConnectorError(
        ConnectorErrorCode.AuthFailed,
        'OK account has no wall settings to answer on the wall',
      );
    }
    textOnly(message);
    const rest = new OkRest(settings, settings.wall);
    const replyTo = typeof commentId === 'string' && WALL_ID.test(commentId) ? commentId : undefined;
    const parts = splitText(message.text ?? '', OK_TEXT_MAX_CHARS);
    const ids = await sendParts(parts, 'OK discussions.comment', progress, async (comment) => {
      const answer = await rest.call('discussions.comment', {
        discussionId: topicId,
        discussionType: 'GROUP_TOPIC',
        comment,
        as_admin: 'true',
        ...(replyTo ? { reply_to_comment_id: replyTo } : {}),
      });
      const id = isRecord(answer) ? (answer.comment_id ?? answer.id) : answer;
      if (typeof id !== 'string' && typeof id !== 'number') {
        // Answered without saying what it did: the comment may be on the wall.
        throw new ConnectorError(
          ConnectorErrorCode.Temporary,
          'OK discussions.comment: no comment id in the answer',
          { outcomeUnknown: true },
        );
      }
      return String(id);
    });
    return { remoteId: ids.join(','), sentAt: new Date().toISOString() };
  }

  /** Downloads an attachment by the URL put in remoteRef, from OK hosts only, within the size limit. */
  async fetchAttachment(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile> {
    return downloadAttachment(remoteRef, okSettings(account), 'OK attachment');
  }
}
