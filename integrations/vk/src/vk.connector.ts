import { createHash, timingSafeEqual } from 'node:crypto';
import { JsonLogger } from '@inbox/common';
import {
  type AcknowledgesInteractions,
  Channel,
  type ChannelAccountRef,
  type Choices,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  type DeliveryReceipt,
  type DropsRepeatedSends,
  type FetchedFile,
  type HasButtons,
  type InboundEvent,
  type InboundItem,
  type InboundRequest,
  type InteractionAck,
  type OutboundMessage,
  type ParseResult,
  type PullPage,
  type ThreadsSentMessages,
  unreadableItemReason,
} from '@inbox/integrations/contract';
import type { Params } from 'vk-io';
import { downloadAttachment } from '@inbox/integrations/contract';
import { decodeJsonBody, isRecord, splitText } from '@inbox/integrations/contract';
import { isMessageTooLong, type LongPollState, VkApi } from './vk-api';
import { parseVkEvent, threadKeys } from './vk-events';
import { keyboardJson, MAX_LABEL, randomIdFor, ratingChoices } from './vk-keyboard';
import { type VkSettings, vkSettings } from './vk-settings';

/** What the HTTP layer answers VK for every Callback API event it accepted (VK retries anything else). */
export const VK_CALLBACK_OK = 'ok';

/**
 * The longest `message` of messages.send: 9000 characters, as VK's own API schema (VKCOM/vk-api-schema,
 * messages/methods.json, API 5.199: `maxLength: 9000`) and the method's page on dev.vk.com state it; VK answers a
 * longer one with error 914 «Message is too long». Longer answers go out in several messages, cut at a paragraph or
 * a sentence (splitText).
 */
export const VK_MESSAGE_MAX_CHARS = 9000;
/**
 * 4096, the figure long quoted for messages.send: a part VK still refuses with 914 (nothing of it went out) is sent
 * again cut to this, so a server stricter than its documentation costs one call, not the answer.
 */
export const VK_MESSAGE_FALLBACK_CHARS = 4096;
/**
 * wall.createComment states no limit for `message` (neither the schema nor dev.vk.com): a comment answer keeps to
 * the stricter 4096 known for messages, in several comments, in order.
 */
export const VK_COMMENT_MAX_CHARS = 4096;
/** Enough for failed 2 then failed 1, say; a server failing more often than that is having a bad time. */
const MAX_LONG_POLL_ATTEMPTS = 4;

export interface VkConnectorOptions {
  logger?: JsonLogger;
}

/** Bots Long Poll cursor: what groups.getLongPollServer gave us plus the last ts we consumed. */
export type VkCursor = LongPollState;

function int(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

function parseCursor(cursor: unknown): VkCursor | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  if (
    isRecord(cursor) &&
    typeof cursor.server === 'string' &&
    cursor.server !== '' &&
    typeof cursor.key === 'string' &&
    cursor.key !== '' &&
    (typeof cursor.ts === 'string' || typeof cursor.ts === 'number') &&
    String(cursor.ts) !== ''
  ) {
    return { server: cursor.server, key: cursor.key, ts: String(cursor.ts) };
  }
  throw new ConnectorError(ConnectorErrorCode.CursorInvalid, 'VK cursor must be { server, key, ts }');
}

/** Compares secrets in constant time whatever their lengths. */
function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Sends a text as parts of at most `max`, in order, the last carrying what must come at the end (attachments, a
 * keyboard); attachments alone (no text) go out as one part. Returns the receipt naming every part's id.
 */
async function sendInParts(
  text: string,
  max: number,
  sendPart: (part: string, index: number, last: boolean) => Promise<string>,
): Promise<DeliveryReceipt> {
  const parts = splitText(text, max);
  if (parts.length === 0) parts.push('');
  const ids: string[] = [];
  for (const [index, part] of parts.entries())
    ids.push(await sendPart(part, index, index === parts.length - 1));
  return { remoteId: ids.join(','), sentAt: new Date().toISOString() };
}

/**
 * VK community connector: Bots Long Poll (pull) or Callback API (push) for incoming community messages and wall
 * posts/comments; answers by messages.send or as a comment reply (wall.createComment).
 *
 * Account: settings { groupId, apiBaseUrl?, apiVersion?, confirmationCode?, longPollWaitSeconds?, requestTimeoutMs?,
 * maxAttachmentBytes?, attachmentHosts? }, secrets { groupToken, callbackSecret? }.
 */
export class VkConnector
  implements Connector, AcknowledgesInteractions, HasButtons, ThreadsSentMessages, DropsRepeatedSends
{
  /** messages.send's random_id and wall.createComment's guid come from our message id: VK drops a repeat. */
  readonly dropsRepeatedSends = true;

  readonly channel = Channel.Vk;
  readonly mode = 'both' as const;
  readonly buttonLabelMax = MAX_LABEL;
  private readonly logger: JsonLogger;

  constructor(options: VkConnectorOptions = {}) {
    this.logger = options.logger ?? new JsonLogger('vk-connector');
  }

  /** groups.getById without ids answers for the token's own community: it must be the configured one. */
  async check(account: ChannelAccountRef): Promise<void> {
    const settings = vkSettings(account);
    const response = await new VkApi(settings).call<unknown>(
      'groups.getById',
      {} satisfies Params.GroupsGetByIdParams,
    );
    // API ≥ 5.139 answers { groups: [...] }; older versions a bare array.
    const groups = Array.isArray(response) ? response : isRecord(response) ? response.groups : undefined;
    const first = Array.isArray(groups) && isRecord(groups[0]) ? groups[0] : undefined;
    if (!first)
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'VK groups.getById: no group in the answer');
    if (int(first.id) !== settings.groupId) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'VK token belongs to another community');
    }
  }

  /**
   * One Bots Long Poll request (it holds up to longPollWaitSeconds). `failed` answers are handled as VK documents
   * them: 1 → carry on from the returned ts (some history was lost); 2 → the key expired: new server and key, same
   * ts; 3 → key and ts lost: both anew (events in between are gone, as VK says). A long-poll answer cannot be
   * split, so `limit` is advisory: the page holds every update VK returned.
   */
  async pull(account: ChannelAccountRef, cursor: unknown, _limit: number): Promise<PullPage> {
    const settings = vkSettings(account);
    const api = new VkApi(settings);
    let state = parseCursor(cursor) ?? (await this.longPollServer(api, settings));
    for (let attempt = 0; attempt < MAX_LONG_POLL_ATTEMPTS; attempt += 1) {
      const answer = await api.longPoll(state);
      if ('failed' in answer) {
        this.logger.write('warn', 'vk long poll failed answer', {
          accountId: account.id,
          failed: answer.failed,
        });
        if (answer.failed === 1 && answer.ts !== undefined) {
          state = { ...state, ts: answer.ts };
        } else if (answer.failed === 2) {
          const fresh = await this.longPollServer(api, settings);
          state = { server: fresh.server, key: fresh.key, ts: state.ts };
        } else {
          // 3, or anything VK may add later: start over from a new key and ts.
          state = await this.longPollServer(api, settings);
        }
        continue;
      }
      const items: InboundItem[] = [];
      const events: InboundEvent[] = [];
      const rejected: NonNullable<PullPage['rejected']> = [];
      for (const update of answer.updates) {
        if (
          isRecord(update) &&
          int(update.group_id) !== undefined &&
          int(update.group_id) !== settings.groupId
        )
          continue;
        const parsed = parseSafely(update, settings.groupId);
        if (parsed.problem) {
          // Quarantined rather than thrown: the page's ts already covers it, and refusing the page would stall the
          // account on the same broken update forever. Kept whole for staff; logged by type and id only.
          rejected.push(this.rejection(account, update, parsed.problem));
          continue;
        }
        if (parsed.skipped) this.logSkipped(account, update, parsed.skipped);
        items.push(...parsed.items);
        events.push(...parsed.events);
      }
      return {
        items,
        events,
        rejected,
        nextCursor: { ...state, ts: answer.ts } satisfies VkCursor,
        hasMore: false,
      };
    }
    throw new ConnectorError(ConnectorErrorCode.Temporary, 'VK long poll kept answering "failed"');
  }

  private async longPollServer(api: VkApi, settings: VkSettings): Promise<VkCursor> {
    const params: Params.GroupsGetLongPollServerParams = { group_id: settings.groupId };
    const response = await api.call<unknown>('groups.getLongPollServer', params);
    if (
      !isRecord(response) ||
      typeof response.server !== 'string' ||
      typeof response.key !== 'string' ||
      (typeof response.ts !== 'string' && typeof response.ts !== 'number')
    ) {
      throw new ConnectorError(
        ConnectorErrorCode.Temporary,
        'VK groups.getLongPollServer: incomplete answer',
      );
    }
    return { server: response.server, key: response.key, ts: String(response.ts) };
  }

  /**
   * The messages sent into a dialogue, or the comments posted under a wall post (every part's id): a citizen's reply
   * to any of them names its key.
   */
  threadKeysOfSent(remoteId: string, replyAddress?: Record<string, unknown>): string[] {
    const peerId = int(replyAddress?.peerId);
    const ownerId = int(replyAddress?.ownerId);
    const postId = int(replyAddress?.postId);
    const ids = remoteId.split(',').filter((id) => /^\d+$/.test(id));
    if (ownerId !== undefined && postId !== undefined)
      return ids.map((id) => threadKeys.comment(ownerId, postId, id));
    if (peerId === undefined || replyAddress?.postId !== undefined) return [];
    return ids.map((id) => threadKeys.sent(peerId, id));
  }

  /**
   * Callback API. `confirmation` (with our group_id) → the confirmation code as text/plain; every other event must
   * carry our `secret` or is refused with AuthFailed. The controller answers accepted events with
   * {@link VK_CALLBACK_OK} ('ok', HTTP 200) — also when the result is empty (an event type we do not handle) —
   * otherwise VK keeps re-sending. Pass the raw body (Buffer) when possible: a BOM or broken UTF-8 is tolerated here.
   */
  async parseInbound(account: ChannelAccountRef, request: InboundRequest): Promise<ParseResult> {
    const settings = vkSettings(account);
    const body = decodeJsonBody(request.body);
    if (!isRecord(body) || typeof body.type !== 'string') {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'not a VK Callback API event', {
        fields: { type: 'missing' },
      });
    }
    if (int(body.group_id) !== settings.groupId) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'VK callback for another community');
    }
    if (body.type === 'confirmation') {
      if (!settings.confirmationCode) {
        throw new ConnectorError(
          ConnectorErrorCode.AuthFailed,
          'VK account has no settings.confirmationCode',
        );
      }
      return { kind: 'reply', body: settings.confirmationCode, contentType: 'text/plain' };
    }
    if (!settings.callbackSecret) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'VK account has no secrets.callbackSecret');
    }
    if (!sameSecret(body.secret, settings.callbackSecret)) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'VK callback secret missing or wrong');
    }
    const parsed = parseSafely(body, settings.groupId);
    // An authentic event we cannot read is kept for staff (and VK gets its "ok", or it re-sends it for hours).
    if (parsed.problem) {
      return {
        kind: 'items',
        items: [],
        events: [],
        rejected: [this.rejection(account, body, parsed.problem)],
      };
    }
    if (parsed.skipped) this.logSkipped(account, body, parsed.skipped);
    return { kind: 'items', items: parsed.items, events: parsed.events };
  }

  private rejection(account: ChannelAccountRef, update: unknown, problem: string) {
    const type = isRecord(update) ? update.type : undefined;
    const eventId = isRecord(update) && typeof update.event_id === 'string' ? update.event_id : undefined;
    this.logger.write('warn', 'vk update quarantined', {
      accountId: account.id,
      type,
      eventId,
      reason: problem,
    });
    return {
      ...(eventId ? { externalId: `event:${eventId}` } : {}),
      reason: problem.startsWith(UNREADABLE)
        ? problem
        : `Событие VK не удалось прочитать (VK ${typeof type === 'string' ? type : 'event'}: ${problem})`,
      raw: update,
    };
  }

  /** Left out on purpose (a group chat): one log line by type, event id and reason, never the text or the author. */
  private logSkipped(account: ChannelAccountRef, update: unknown, reason: string): void {
    this.logger.write('info', 'vk update skipped', {
      accountId: account.id,
      type: isRecord(update) ? update.type : undefined,
      eventId: isRecord(update) ? update.event_id : undefined,
      reason,
    });
  }

  /**
   * replyAddress { peerId } → messages.send (random_id from our message id: VK drops a repeat, so a retried send is
   * harmless); { ownerId, postId, commentId? } → wall.createComment as the community (guid = our message id, VK's
   * own dedupe key for comments). Attachments are uploaded as documents first. `choices` become an inline keyboard
   * (dialogues only: comments have no keyboards).
   */
  async send(account: ChannelAccountRef, message: OutboundMessage): Promise<DeliveryReceipt> {
    const settings = vkSettings(account);
    const api = new VkApi(settings);
    const address = message.replyAddress ?? {};
    const text = message.text ?? '';
    if (text.trim() === '' && !message.attachments?.length) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'VK message without text or attachments', {
        fields: { text: 'Пустое сообщение' },
      });
    }
    const peerId = int(address.peerId);
    const ownerId = int(address.ownerId);
    const postId = int(address.postId);
    if (ownerId !== undefined && postId !== undefined) {
      return this.sendComment(api, settings, message, { ownerId, postId, commentId: int(address.commentId) });
    }
    if (peerId !== undefined) return this.sendMessage(api, message, peerId);
    throw new ConnectorError(
      ConnectorErrorCode.InvalidPayload,
      'VK reply address needs peerId or ownerId + postId',
      {
        fields: { replyAddress: 'missing' },
      },
    );
  }

  private async sendMessage(api: VkApi, message: OutboundMessage, peerId: number): Promise<DeliveryReceipt> {
    // Everything that can fail locally fails before the first part goes out.
    const keyboard = message.choices?.length ? keyboardJson(message.choices) : undefined;
    const attachments = await this.uploadDocuments(api, message, 'docs.getMessagesUploadServer', {
      type: 'doc',
      peer_id: peerId,
    } satisfies Params.DocsGetMessagesUploadServerParams);
    const sendOne = async (part: string, randomId: number, last: boolean): Promise<string> => {
      const params: Params.MessagesSendParams = {
        peer_id: peerId,
        random_id: randomId,
        message: part,
        attachment: last && attachments.length ? attachments.join(',') : undefined,
        keyboard: last ? keyboard : undefined,
      };
      const response = await api.call<unknown>('messages.send', params);
      const id = isRecord(response) ? (response.message_id ?? response.conversation_message_id) : response;
      return String(id);
    };
    return sendInParts(message.text ?? '', VK_MESSAGE_MAX_CHARS, async (part, index, last) => {
      try {
        return await sendOne(part, randomIdFor(message.id, index), last);
      } catch (error) {
        if (!isMessageTooLong(error) || part.length <= VK_MESSAGE_FALLBACK_CHARS) throw error;
        // Refused whole, so nothing of this part is out: its pieces, each with a random_id of its own.
        const pieces = splitText(part, VK_MESSAGE_FALLBACK_CHARS);
        const ids: string[] = [];
        for (const [i, piece] of pieces.entries())
          ids.push(
            await sendOne(piece, randomIdFor(`${message.id}#${index}/`, i), last && i === pieces.length - 1),
          );
        return ids.join(',');
      }
    });
  }

  private async sendComment(
    api: VkApi,
    settings: VkSettings,
    message: OutboundMessage,
    target: { ownerId: number; postId: number; commentId?: number },
  ): Promise<DeliveryReceipt> {
    const attachments = await this.uploadDocuments(api, message, 'docs.getWallUploadServer', {
      group_id: settings.groupId,
    } satisfies Params.DocsGetWallUploadServerParams);
    return sendInParts(message.text ?? '', VK_COMMENT_MAX_CHARS, async (part, index, last) => {
      const params: Params.WallCreateCommentParams = {
        owner_id: target.ownerId,
        post_id: target.postId,
        from_group: settings.groupId,
        message: part || undefined,
        reply_to_comment: target.commentId,
        // VK's dedupe key per comment: a retried send posts none of the parts already on the wall again.
        guid: index === 0 ? message.id : `${message.id}:${index}`,
        attachments: last && attachments.length ? attachments : undefined,
      };
      const response = await api.call<unknown>('wall.createComment', params);
      const commentId = isRecord(response) ? int(response.comment_id) : undefined;
      if (commentId === undefined) {
        throw new ConnectorError(
          ConnectorErrorCode.Temporary,
          'VK wall.createComment: no comment_id in the answer',
        );
      }
      return String(commentId);
    });
  }

  /** docs.get…UploadServer → POST the file → docs.save; returns attachment strings `doc<owner>_<id>`. */
  private async uploadDocuments(
    api: VkApi,
    message: OutboundMessage,
    serverMethod: string,
    serverParams: Record<string, string | number>,
  ): Promise<string[]> {
    const out: string[] = [];
    for (const file of message.attachments ?? []) {
      const server = await api.call<unknown>(serverMethod, serverParams);
      if (!isRecord(server) || typeof server.upload_url !== 'string') {
        throw new ConnectorError(ConnectorErrorCode.Temporary, `VK ${serverMethod}: no upload_url`);
      }
      const uploaded = await api.upload(
        server.upload_url,
        file.fileName,
        file.contentType,
        Buffer.from(file.contentBase64, 'base64'),
      );
      const saveParams: Params.DocsSaveParams = { file: uploaded, title: file.fileName };
      const saved = await api.call<unknown>('docs.save', saveParams);
      const doc = isRecord(saved) && isRecord(saved.doc) ? saved.doc : undefined;
      if (!doc || int(doc.id) === undefined || int(doc.owner_id) === undefined) {
        throw new ConnectorError(ConnectorErrorCode.Temporary, 'VK docs.save: no document in the answer');
      }
      out.push(`doc${int(doc.owner_id)}_${int(doc.id)}`);
    }
    return out;
  }

  ratingChoices(registrationNumber: string): Choices {
    return ratingChoices(registrationNumber);
  }

  /**
   * A callback-button press (message_event) spins in the citizen's client until it is answered with
   * messages.sendMessageEventAnswer; with a text, VK shows it as a snackbar. Text buttons need no answer.
   */
  async acknowledgeInteraction(account: ChannelAccountRef, ack: InteractionAck): Promise<void> {
    const settings = vkSettings(account);
    const address = ack.replyAddress ?? {};
    const peerId = int(address.peerId);
    const userId = int(address.userId) ?? int(ack.authorExternalId);
    if (peerId === undefined || userId === undefined) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'VK event answer needs peerId and userId', {
        fields: { replyAddress: 'missing peerId or userId' },
      });
    }
    const params: Params.MessagesSendMessageEventAnswerParams = {
      event_id: ack.callbackId,
      user_id: userId,
      peer_id: peerId,
      ...(ack.text
        ? { event_data: JSON.stringify({ type: 'show_snackbar', text: ack.text.slice(0, 90) }) }
        : {}),
    };
    await new VkApi(settings).call<unknown>('messages.sendMessageEventAnswer', params);
  }

  /** Downloads a photo or document by the URL put in remoteRef, from VK hosts only, within the size limit. */
  async fetchAttachment(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile> {
    return downloadAttachment(remoteRef, vkSettings(account), 'VK attachment');
  }
}

const UNREADABLE = 'Событие VK не удалось разобрать';

/**
 * parseVkEvent, an event it throws on (a shape never seen, a bug of ours) given as its problem: quarantined with
 * the reason rather than stalling the long poll on it or having VK re-send it for hours.
 */
function parseSafely(update: unknown, groupId: number): ReturnType<typeof parseVkEvent> {
  try {
    return parseVkEvent(update, { groupId });
  } catch (error) {
    return { items: [], events: [], problem: unreadableItemReason('Событие VK', error) };
  }
}
