import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Channel,
  type ChannelAccountRef,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  type DeliveryReceipt,
  type FetchedFile,
  type InboundRequest,
  type NeedsSetUp,
  type OutboundMessage,
  type ParseResult,
  type ThreadsSentMessages,
} from '@inbox/integrations/contract';
import { downloadFile } from '@inbox/integrations/contract';
import { isRecord } from '@inbox/integrations/contract';
import { OkApi } from './ok-api';
import { okSettings } from './ok-settings';
import { decodeJsonBody, parseOkWebhook, sentThreadKey } from './ok-webhook';

/** The query parameter carrying the per-account shared secret on our webhook URL. */
export const OK_SECRET_PARAM = 'secret';
const CHAT_ID = /^chat:[\w.-]+$/;

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
 * OK (Odnoklassniki) group messages through the Bot API: webhook in (push only), messages out.
 *
 * Account: settings { apiBaseUrl? (default https://api.ok.ru/graph), requestTimeoutMs?, maxAttachmentBytes?,
 * attachmentHosts? }, secrets { accessToken, webhookSecret }.
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
  readonly mode = 'push' as const;

  /** Once per worker start: the webhook subscription, when the account names its public URL. */
  async setUp(account: ChannelAccountRef): Promise<void> {
    const url = account.settings?.webhookUrl;
    if (typeof url === 'string' && url) await this.subscribeWebhook(account, url);
  }

  /** A message sent into a chat (its mid): a citizen's reply to it names this key and joins its appeal. */
  threadKeyOfSent(remoteId: string, replyAddress?: Record<string, unknown>): string | undefined {
    const chatId = replyAddress?.chatId;
    if (typeof chatId !== 'string' || chatId === '' || !remoteId) return undefined;
    return sentThreadKey(chatId, remoteId);
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

  /** A webhook POST: the secret first, then MESSAGE_CREATED → one item; every other type → nothing (answer 200). */
  async parseInbound(account: ChannelAccountRef, request: InboundRequest): Promise<ParseResult> {
    const settings = okSettings(account);
    if (!settings.webhookSecret) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'OK account has no secrets.webhookSecret');
    }
    if (!sameSecret(firstString(request.query?.[OK_SECRET_PARAM]), settings.webhookSecret)) {
      throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'OK webhook secret missing or wrong');
    }
    const parsed = parseOkWebhook(decodeJsonBody(request.body));
    if (parsed.problem) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, `OK webhook: ${parsed.problem}`, {
        fields: { message: parsed.problem },
      });
    }
    return { kind: 'items', items: parsed.items, events: [] };
  }

  /**
   * POST /me/messages/<chat_id> { recipient: { chat_id }, message: { text } }. OK has no idempotency key for
   * messages: a send retried after a lost answer can reach the chat twice. Buttons (`choices`) are not sent — OK's
   * keyboard and callback shapes are not confirmed by a sample yet — and attachments are refused, not dropped.
   */
  async send(account: ChannelAccountRef, message: OutboundMessage): Promise<DeliveryReceipt> {
    const settings = okSettings(account);
    const raw = message.replyAddress?.chatId;
    const chatId =
      typeof raw === 'string' && raw !== '' ? (raw.startsWith('chat:') ? raw : `chat:${raw}`) : undefined;
    if (!chatId || !CHAT_ID.test(chatId)) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'OK reply address needs chatId', {
        fields: { replyAddress: 'missing chatId' },
      });
    }
    if (message.attachments?.length) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'OK connector does not send attachments', {
        fields: {
          attachments:
            'Вложения в Одноклассники не отправляются: приложите ссылку или ответьте иным способом',
        },
      });
    }
    if (!message.text || message.text.trim() === '') {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'OK message without text', {
        fields: { text: 'Пустое сообщение' },
      });
    }
    const answer = await new OkApi(settings).request('POST', `/me/messages/${chatId}`, {
      recipient: { chat_id: chatId },
      message: { text: message.text },
    });
    if (answer.success === false)
      throw new ConnectorError(ConnectorErrorCode.Temporary, 'OK /me/messages: not successful');
    const remoteId = answer.message_id ?? answer.mid;
    return {
      remoteId: typeof remoteId === 'string' || typeof remoteId === 'number' ? String(remoteId) : undefined,
      sentAt: new Date().toISOString(),
    };
  }

  /** Downloads an attachment by the URL put in remoteRef, from OK hosts only, within the size limit. */
  async fetchAttachment(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile> {
    const settings = okSettings(account);
    return downloadFile(
      remoteRef,
      {
        maxBytes: settings.maxAttachmentBytes,
        timeoutMs: settings.requestTimeoutMs * 4,
        allowedHosts: settings.attachmentHosts,
      },
      'OK attachment',
    );
  }
}
