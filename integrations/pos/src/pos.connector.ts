import { JsonLogger, redactText } from '@inbox/common';
import {
  Channel,
  clipLongText,
  type ChannelAccountRef,
  type ChannelRubricator,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  contentTypeOf,
  isTooLarge,
  maxResponseBytesOf,
  readBodyCapped,
  type DeliveryReceipt,
  type DropsRepeatedSends,
  type FetchedFile,
  type InboundItem,
  type OutboundMessage,
  type PullPage,
  type RatingEvent,
  type RubricatorSource,
  type StatusUpdate,
  type WithdrawalEvent,
  errorSummary,
  unreadableItemReason,
  accountConnections,
} from '@inbox/integrations/contract';
import {
  bearer,
  comparePositions,
  decodeErrorMessage,
  decodeEventReceipt,
  decodeFeedPage,
  decodeMessage,
  decodeRubricList,
  decodeToken,
  decodeUploadedFileId,
  eventRequest,
  feedRequest,
  fileRequest,
  type HttpRequestSpec,
  isAuthRejection,
  isCursor,
  isFeedCursorRejection,
  isTokenRefusal,
  type PosCredentials,
  feedPositionOf,
  undatedPosition,
  type PosCursor,
  type PosEvent,
  type PosMessage,
  rubricRequests,
  tokenRequest,
  uploadRequest,
  WireError,
} from './pos-wire';

/** A remote item the connector could not turn into an InboundItem: the core quarantines it whole. */
export interface RejectedRemoteItem {
  externalId?: string;
  reason: string;
  raw: unknown;
}

/** PullPage extended structurally with the items the connector refused (to be moved into the contract). */
export type PosPullPage = PullPage & { rejected: RejectedRemoteItem[] };

export type PosRubricatorEntry = ChannelRubricator['categories'][number];

/** ПОС's categories ("subjects") and subcategories ("subsubjects") of the account's region, ids as strings. */
export type PosRubricator = ChannelRubricator;

export interface PosConnectorOptions {
  /** Per HTTP call, body included. */
  timeoutMs?: number;
  logger?: JsonLogger;
}

interface PosAccountConfig {
  baseUrl: string;
  regionId: string;
  opaIds: string[];
  credentials: PosCredentials;
  startFrom?: string;
  timeoutMs: number;
  /** The most read of one answer (a feed page, a file): `maxResponseBytes`, POS_MAX_RESPONSE_BYTES. */
  maxResponseBytes: number;
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_AFTER_MS = 60_000;
const MAX_PAGE = 500;
/** The account's secrets, by the labels the admin screen gives them (a settings problem names them so). */
const POS_SECRET_LABELS = {
  username: 'Логин',
  password: 'Пароль',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
} as const;

/**
 * «Госуслуги. Решаем вместе» (ПОС): pulls the feed of messages addressed to our organisations (new ones and
 * updates, ratings included), pushes status events and answers back. The wire format lives in pos-wire.ts.
 */
export class PosConnector implements Connector, RubricatorSource, DropsRepeatedSends {
  /** The answer's requests carry the Idempotency-Key of our message id: ПОС answers a repeat as the first. */
  readonly dropsRepeatedSends = true;

  readonly channel = Channel.Pos;
  readonly mode = 'pull' as const;

  /** Bearer tokens per account id; an instance cache, never shared between connector instances. */
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private readonly logger: JsonLogger;
  private readonly timeoutMs: number;

  constructor(options: PosConnectorOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.logger = options.logger ?? new JsonLogger('pos-connector');
  }

  /** Probes settings and credentials with a fresh token. */
  async check(account: ChannelAccountRef): Promise<void> {
    const config = this.config(account);
    this.tokens.delete(account.id);
    await this.token(account.id, config);
  }

  async pull(account: ChannelAccountRef, cursor: unknown, limit: number): Promise<PosPullPage> {
    const config = this.config(account);
    const start = this.startCursor(cursor, config);
    let size = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1));

    let response: RawResponse;
    for (;;) {
      try {
        response = await this.call(account.id, config, feedRequest(config.opaIds, start, size), 'feed', {
          onStatus: (status) =>
            isFeedCursorRejection(status)
              ? new ConnectorError(ConnectorErrorCode.CursorInvalid, 'ПОС refused the feed cursor', {
                  status,
                })
              : undefined,
        });
        break;
      } catch (error) {
        if (!isTooLarge(error)) throw error;
        // A page over the limit: fewer messages a page, down to one. One message over it stops the account's
        // pull here, the cursor where it was (nothing received is lost), with the error on the account.
        this.logger.error('ПОС feed answer over the size limit', {
          accountId: account.id,
          pageSize: size,
          maxResponseBytes: config.maxResponseBytes,
        });
        if (size === 1)
          throw new ConnectorError(
            ConnectorErrorCode.InvalidPayload,
            `ПОС feed: one message is larger than ${config.maxResponseBytes} bytes (maxResponseBytes, POS_MAX_RESPONSE_BYTES)`,
            { status: 413 },
          );
        size = Math.max(1, Math.floor(size / 2));
      }
    }
    let page: { entries: unknown[]; last?: boolean };
    try {
      page = decodeFeedPage(parseJson(response.body, 'feed'));
    } catch (error) {
      throw invalid('feed', error);
    }

    const items: InboundItem[] = [];
    const events: (RatingEvent | WithdrawalEvent)[] = [];
    const rejected: RejectedRemoteItem[] = [];
    const skipped: { externalId: string; reason: string }[] = [];
    let next = start;
    for (const raw of page.entries) {
      let position: PosCursor | undefined;
      let read: { item?: InboundItem; events: (RatingEvent | WithdrawalEvent)[]; skipped?: string };
      try {
        const decoded = decodeMessage(raw);
        position = decoded.ok ? decoded.message.position : decoded.position;
        if (!decoded.ok) {
          rejected.push({ externalId: decoded.posId, reason: decoded.reason, raw });
          this.logger.warn('ПОС message rejected', {
            accountId: account.id,
            posId: decoded.posId,
            reason: decoded.reason,
          });
          continue;
        }
        const declined = toWithdrawalEvent(decoded.message);
        const rating = declined ? undefined : toRatingEvent(decoded.message);
        read = declined
          ? // Declined by ПОС's moderation: not an appeal to register. Counted and logged, never dropped unseen; had
            // we registered it before the decline, the withdrawal event notes it on the appeal, which stays on record.
            { events: [declined], skipped: decoded.message.posId }
          : { item: toInboundItem(decoded.message), events: rating ? [rating] : [] };
      } catch (error) {
        // A message our reading trips over (a bug, a shape never seen): quarantined whole with the reason, and the
        // cursor still moves past it, so it neither stops the messages after it nor comes back on every pull.
        const entry = feedPositionOf(raw);
        position ??= entry.position;
        rejected.push({ externalId: entry.posId, reason: unreadableItemReason('Сообщение ПОС', error), raw });
        this.logger.error('ПОС message could not be read', {
          accountId: account.id,
          posId: entry.posId,
          error: errorSummary(error),
        });
        continue;
      } finally {
        // A message with no date at all sits where ПОС listed it: after the position the feed stands at.
        if (!position) {
          const posId = feedPositionOf(raw).posId;
          if (posId !== undefined) position = undatedPosition(posId, next);
        }
        // Never step back: a rejected entry still moves the cursor past itself, so it cannot block the feed.
        if (position && (!next || comparePositions(position, next) > 0)) next = position;
      }
      items.push(...(read.item ? [read.item] : []));
      events.push(...read.events);
      if (read.skipped) {
        skipped.push({ externalId: read.skipped, reason: POS_DECLINED_REASON });
        this.logger.info('ПОС message declined by moderation: not registered', {
          accountId: account.id,
          posId: read.skipped,
        });
      }
    }

    return {
      items,
      events,
      rejected,
      ...(skipped.length > 0 ? { skipped } : {}),
      nextCursor: next ?? null,
      hasMore: page.last !== undefined ? !page.last : page.entries.length >= size,
    };
  }

  /** The answer for `replyAddress.posId`: files uploaded first, then SEND_RESPONSE; idempotent on `message.id`. */
  async send(account: ChannelAccountRef, message: OutboundMessage): Promise<DeliveryReceipt> {
    const config = this.config(account);
    if (message.kind !== 'answer') {
      throw new ConnectorError(
        ConnectorErrorCode.InvalidPayload,
        `ПОС takes only answers through send, not "${message.kind}"; status changes go through pushStatus`,
        { fields: { kind: 'ПОС принимает только ответ' } },
      );
    }
    const posId = posIdOf(message.replyAddress);
    if (!posId) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'replyAddress.posId missing', {
        fields: { replyAddress: 'Не указан идентификатор сообщения ПОС' },
      });
    }
    if (!message.text.trim()) {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'answer text is empty', {
        fields: { text: 'Текст ответа пуст' },
      });
    }

    const attachmentIds: string[] = [];
    for (const [index, file] of (message.attachments ?? []).entries()) {
      // Keyed by message and position, so a retried send does not leave duplicate files in ПОС.
      const spec = uploadRequest(
        {
          fileName: file.fileName,
          contentType: file.contentType,
          content: Buffer.from(file.contentBase64, 'base64'),
        },
        `${message.id}:file:${index}`,
      );
      const response = await this.call(account.id, config, spec, 'upload');
      const id = decodeUploadedFileId(parseJson(response.body, 'upload'));
      if (!id)
        throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'ПОС upload answered without a file id');
      attachmentIds.push(id);
    }

    const event: PosEvent = {
      kind: 'answer',
      at: new Date().toISOString(),
      comment: message.text,
      attachmentIds,
      registrationNumber: message.references?.registrationNumber,
    };
    const response = await this.call(account.id, config, eventRequest(posId, event, message.id), 'answer');
    const receipt = decodeEventReceipt(parseJsonOrEmpty(response.body));
    this.logger.info('ПОС answer sent', {
      accountId: account.id,
      posId,
      outboundId: message.id,
      eventId: receipt.eventId,
    });
    return { remoteId: receipt.eventId, sentAt: receipt.createdAt ?? event.at };
  }

  async pushStatus(account: ChannelAccountRef, update: StatusUpdate): Promise<void> {
    const config = this.config(account);
    const event = toPosEvent(update);
    // The answer itself reaches ПОС through send (SEND_RESPONSE); a second SEND_RESPONSE would duplicate it.
    if (!event) return;
    // Same update, same key: a retried push is recorded once.
    const key = `status:${update.externalId}:${update.status}:${update.at}`;
    await this.call(account.id, config, eventRequest(update.externalId, event, key), 'status');
  }

  async fetchAttachment(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile> {
    const config = this.config(account);
    const response = await this.call(account.id, config, fileRequest(remoteRef), 'file');
    return {
      fileName: fileNameFrom(response.headers.get('content-disposition')) ?? `pos-file-${remoteRef}`,
      contentType: response.headers.get('content-type')?.split(';')[0].trim() || 'application/octet-stream',
      content: response.body,
    };
  }

  /**
   * Regions, the region's categories and their subcategories. With `previous` (what the core stored), whatever
   * vanished from ПОС comes back marked deleted, so the core can soft-delete it.
   */
  async syncRubricator(account: ChannelAccountRef, previous?: PosRubricator): Promise<PosRubricator> {
    const config = this.config(account);
    const requests = rubricRequests(config.regionId);
    const decode = (response: RawResponse, what: string) => {
      try {
        return decodeRubricList(parseJson(response.body, what), what);
      } catch (error) {
        throw invalid(what, error);
      }
    };
    const regions = decode(await this.call(account.id, config, requests.regions, 'regions'), 'regions');
    const subjects = decode(await this.call(account.id, config, requests.subjects, 'subjects'), 'subjects');

    const categories: PosRubricatorEntry[] = [];
    for (const subject of subjects) {
      const list = decode(
        await this.call(account.id, config, requests.subsubjects(subject.id), 'subsubjects'),
        'subsubjects',
      );
      categories.push({
        id: subject.id,
        name: subject.name,
        deleted: subject.deleted,
        subcategories: list.map((s) => ({ id: s.id, name: s.name, deleted: subject.deleted || s.deleted })),
      });
    }
    const current: PosRubricator = {
      regionId: config.regionId,
      regions: regions.map(({ id, name, deleted }) => ({ id, name, deleted })),
      categories,
    };
    return previous ? mergeRubricator(previous, current) : current;
  }

  // ---------------------------------------------------------------------------------------------------

  private config(account: ChannelAccountRef): PosAccountConfig {
    const s = account.settings ?? {};
    const secrets = account.secrets ?? {};
    // Each reason in Russian, named by the setting's label on the admin screen and its key: it reaches the
    // administrator as is (the account's last error), and the worker's log names the keys.
    const problems: Record<string, string> = {};
    const baseUrl = typeof s.baseUrl === 'string' ? s.baseUrl.trim().replace(/\/+$/, '') : '';
    if (!/^https?:\/\/[^/]+/.test(baseUrl))
      problems.baseUrl = '«Адрес ПОС» (baseUrl): укажите адрес http:// или https://';
    const regionId =
      typeof s.regionId === 'number' || typeof s.regionId === 'string' ? String(s.regionId).trim() : '';
    if (!regionId) problems.regionId = '«Код региона» (regionId): не задан';
    const opaIds = Array.isArray(s.opaIds)
      ? s.opaIds.filter((v) => typeof v === 'number' || typeof v === 'string').map((v) => String(v).trim())
      : [];
    if (opaIds.length === 0 || opaIds.some((v) => v === ''))
      problems.opaIds = '«ID организаций в ПОС» (opaIds): укажите хотя бы один, без пустых';
    const startFrom =
      typeof s.startFrom === 'string' && !Number.isNaN(Date.parse(s.startFrom)) ? s.startFrom : undefined;
    // A start the feed cannot take is said, not dropped: without it the first pull reads ПОС from its beginning.
    if (!startFrom && s.startFrom !== undefined && s.startFrom !== null && s.startFrom !== '')
      problems.startFrom = '«Начать с даты» (startFrom): дата ISO 8601, например 2026-01-01T00:00:00+03:00';
    for (const [key, label] of Object.entries(POS_SECRET_LABELS)) {
      if (!secrets[key]) problems[key] = `«${label}» (${key}): не задан`;
    }
    const timeoutMs = typeof s.timeoutMs === 'number' && s.timeoutMs > 0 ? s.timeoutMs : this.timeoutMs;
    if (Object.keys(problems).length > 0) {
      // Nothing to retry: the account needs a person to fix its configuration.
      throw new ConnectorError(
        ConnectorErrorCode.AuthFailed,
        `ПОС не настроен: ${Object.values(problems).join('; ')}`,
        { fields: problems, toAdministrator: true },
      );
    }
    return {
      baseUrl,
      regionId,
      opaIds,
      credentials: {
        username: secrets.username,
        password: secrets.password,
        clientId: secrets.clientId,
        clientSecret: secrets.clientSecret,
      },
      startFrom,
      timeoutMs,
      maxResponseBytes: maxResponseBytesOf(s),
    };
  }

  private startCursor(cursor: unknown, config: PosAccountConfig): PosCursor | undefined {
    if (cursor === null || cursor === undefined) {
      return config.startFrom ? { updatedAfter: config.startFrom, afterId: '0' } : undefined;
    }
    if (!isCursor(cursor)) {
      throw new ConnectorError(
        ConnectorErrorCode.CursorInvalid,
        'stored ПОС cursor is not { updatedAfter, afterId }',
      );
    }
    return { updatedAfter: cursor.updatedAfter, afterId: cursor.afterId };
  }

  private async token(accountId: string, config: PosAccountConfig): Promise<string> {
    const cached = this.tokens.get(accountId);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    // One token request per account at a time, however many calls wait for it.
    const pending = this.pendingTokens.get(accountId);
    if (pending) return pending;
    const request = this.authenticate(accountId, config).finally(() => this.pendingTokens.delete(accountId));
    this.pendingTokens.set(accountId, request);
    return request;
  }

  private async authenticate(accountId: string, config: PosAccountConfig): Promise<string> {
    const response = await this.http(config, tokenRequest(config.credentials), 'token');
    if (response.status !== 200) {
      if (isTokenRefusal(response.status)) {
        throw new ConnectorError(ConnectorErrorCode.AuthFailed, 'ПОС refused the account credentials', {
          status: response.status,
        });
      }
      throw httpError('token', response);
    }
    const token = decodeToken(parseJsonOrEmpty(response.body));
    if (!token)
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'ПОС token answer has no access_token');
    const lifetimeMs = token.expiresInSec * 1000;
    // Renew a little early so a token does not expire between the check and the call.
    this.tokens.set(accountId, {
      token: token.accessToken,
      expiresAt: Date.now() + lifetimeMs - Math.min(30_000, lifetimeMs / 10),
    });
    this.logger.debug('ПОС token obtained', { accountId });
    return token.accessToken;
  }

  /** An authorised call: re-authenticates once on 401/403 and retries; a second refusal is AuthFailed. */
  private async call(
    accountId: string,
    config: PosAccountConfig,
    spec: HttpRequestSpec,
    op: string,
    options: { onStatus?: (status: number) => ConnectorError | undefined } = {},
  ): Promise<RawResponse> {
    let response = await this.http(config, spec, op, bearer(await this.token(accountId, config)));
    if (isAuthRejection(response.status)) {
      this.tokens.delete(accountId);
      this.logger.info('ПОС token refused, re-authenticating', { accountId, op });
      response = await this.http(config, spec, op, bearer(await this.token(accountId, config)));
      if (isAuthRejection(response.status)) {
        this.tokens.delete(accountId);
        throw new ConnectorError(ConnectorErrorCode.AuthFailed, `ПОС refused a fresh token (${op})`, {
          status: response.status,
        });
      }
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw options.onStatus?.(response.status) ?? httpError(op, response);
  }

  private async http(
    config: PosAccountConfig,
    spec: HttpRequestSpec,
    op: string,
    auth: Record<string, string> = {},
  ): Promise<RawResponse> {
    const url = new URL(config.baseUrl + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) url.searchParams.set(key, value);
    try {
      const response = await fetch(url, {
        method: spec.method,
        headers: { ...(spec.headers ?? {}), ...auth },
        body: spec.body,
        redirect: 'error',
        dispatcher: accountConnections.dispatcher,
        signal: AbortSignal.timeout(config.timeoutMs),
      } as RequestInit);
      // The body is read inside the try: a connection cut mid-body is as temporary as a refused one. An answer
      // over the limit is not read on (a broken or hostile server must not exhaust the worker's memory).
      const body = await readBodyCapped(`ПОС ${op}`, response, config.maxResponseBytes);
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      if (isTooLarge(error)) throw error;
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'network error';
      throw new ConnectorError(ConnectorErrorCode.Temporary, `ПОС ${op}: ${reason}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------

export function posThreadKey(posId: string): string {
  return `pos:${posId}`;
}

export function toInboundItem(m: PosMessage): InboundItem {
  const features: Record<string, string> = {};
  if (m.status) features['pos.status'] = m.status;
  if (m.statusText) features['pos.statusText'] = m.statusText;
  if (m.plannedAnswerAt) features['pos.answerAt'] = m.plannedAnswerAt;
  if (m.factId) features['pos.factId'] = m.factId;
  if (m.warnings.length > 0) features['pos.warnings'] = JSON.stringify(m.warnings);
  // ПОС's own timeline of the message, kept whole with the item (features are strings: as JSON).
  if (m.history.length > 0) features['pos.history'] = JSON.stringify(m.history);
  for (const key of ['inn', 'kpp', 'ogrn', 'oktmo', 'address'] as const) {
    const value = m.organisation?.[key];
    if (value) features[`pos.organisation.${key}`] = value;
  }
  for (const [id, value] of Object.entries(m.customFields)) features[`pos.custom.${id}`] = value;
  const a = m.applicant;
  // A description longer than an appeal takes (a pasted document) is registered all the same: its beginning as the
  // text, the whole of it as a file beside.
  const clipped = clipLongText(m.text);
  return {
    channel: Channel.Pos,
    externalId: m.posId,
    receivedAt: m.createdAt,
    regime: m.regime,
    fastTrack: m.fastTrack,
    author: {
      externalId: a.epguId,
      surname: a.surname,
      firstName: a.firstName,
      patronymic: a.patronymic,
      email: a.email,
      phone: a.phone,
      postalAddress: a.postalAddress,
      snils: a.snils,
    },
    text: clipped.text,
    address: m.location,
    attachments: [
      ...(clipped.file ? [clipped.file] : []),
      ...m.attachmentIds.map((id) => {
        const fileName = m.attachmentNames?.[id] ?? `pos-file-${id}`;
        return { fileName, contentType: contentTypeOf(fileName), remoteRef: id };
      }),
    ],
    channelCategory: m.subject
      ? {
          id: m.subject.id,
          name: m.subject.name,
          subcategoryId: m.subsubject?.id,
          subcategoryName: m.subsubject?.name,
        }
      : undefined,
    addressee: m.organisation ? { externalId: m.organisation.id, name: m.organisation.name } : undefined,
    thread: { key: posThreadKey(m.posId) },
    replyAddress: { posId: m.posId },
    features: Object.keys(features).length > 0 ? features : undefined,
  };
}

/** ПОС's code for a message its moderation declined (CHANNELS.md: the status and event codes seen). */
export const POS_MODERATION_DECLINE = 'MODERATION_DECLINE';

/** Why a pulled ПОС message was not registered (the pull's `skipped`). */
export const POS_DECLINED_REASON = 'ПОС: сообщение отклонено модератором';

/**
 * A message ПОС's moderation declined — its status, or else its newest history entry, says MODERATION_DECLINE — as a
 * withdrawal by the channel: the core registers nothing for it, and notes it on the appeal if one was registered
 * before the decline. The reason is ПОС's (statusText, the moderator's rejectReason or comment), never the citizen's.
 */
export function toWithdrawalEvent(m: PosMessage): WithdrawalEvent | undefined {
  const newest = m.history.at(-1);
  const status = m.status ?? newest?.status;
  if (status !== POS_MODERATION_DECLINE) return undefined;
  const entry = [...m.history].reverse().find((h) => h.status === POS_MODERATION_DECLINE);
  const reason = entry?.answer?.rejectReason ?? entry?.answer?.comment ?? entry?.statusText ?? m.statusText;
  return {
    kind: 'withdrawal',
    channel: Channel.Pos,
    externalId: `declined:${m.posId}`,
    receivedAt: instantOr([entry?.createdAt, m.position?.updatedAfter], m.createdAt),
    target: { externalId: m.posId, threadKey: posThreadKey(m.posId) },
    by: 'channel',
    ...(reason ? { reason } : {}),
  };
}

/** The first of `candidates` that reads as an instant, as ISO; else `fallback`. */
function instantOr(candidates: (string | undefined)[], fallback: string): string {
  const ms = candidates.map((c) => (c ? Date.parse(c) : NaN)).find(Number.isFinite);
  return ms !== undefined ? new Date(ms).toISOString() : fallback;
}

export function toRatingEvent(m: PosMessage): RatingEvent | undefined {
  if (!m.rating) return undefined;
  return {
    kind: 'rating',
    channel: Channel.Pos,
    // One rating per instant: a re-rating is a new event, a re-pulled one dedupes.
    externalId: `rating:${m.posId}:${m.rating.ratedAt}`,
    receivedAt: m.rating.ratedAt,
    target: { externalId: m.posId, threadKey: posThreadKey(m.posId) },
    answered: m.rating.answered,
    satisfaction: m.rating.satisfaction,
    channelScore: { value: m.rating.score, max: m.rating.max },
    comment: m.rating.comment,
    author: m.applicant.epguId ? { externalId: m.applicant.epguId } : undefined,
  };
}

export function toPosEvent(update: StatusUpdate): PosEvent | undefined {
  const base = { at: update.at, comment: update.comment };
  switch (update.status) {
    case 'taken-to-work':
      return { kind: 'take-to-work', ...base };
    case 'postponed':
      if (!update.plannedAnswerAt) {
        throw new ConnectorError(
          ConnectorErrorCode.InvalidPayload,
          'postponement without a new planned date',
          {
            fields: { plannedAnswerAt: 'Укажите новый плановый срок ответа' },
          },
        );
      }
      return { kind: 'postpone', ...base, plannedAnswerAt: update.plannedAnswerAt };
    case 'forwarded-up':
      return { kind: 'forward-up', ...base, organisationId: update.organisationExternalId };
    case 'forwarded-down':
      if (!update.organisationExternalId) {
        throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'forward down without an organisation', {
          fields: { organisationExternalId: 'Укажите организацию в ПОС' },
        });
      }
      return { kind: 'forward-down', ...base, organisationId: update.organisationExternalId };
    case 'registered':
      return { kind: 'register', ...base };
    case 'refused':
      return { kind: 'reject', ...base };
    case 'answered':
      return undefined;
    default:
      throw new ConnectorError(
        ConnectorErrorCode.InvalidPayload,
        `status "${String(update.status)}" unknown to ПОС`,
      );
  }
}

/** Marks whatever the previous sync had and ПОС no longer lists as deleted; keeps ПОС's own `deleted` flags. */
export function mergeRubricator(previous: PosRubricator, current: PosRubricator): PosRubricator {
  const byId = new Map(current.categories.map((c) => [c.id, c]));
  const categories = current.categories.map((category) => {
    const old = previous.categories.find((c) => c.id === category.id);
    const present = new Set(category.subcategories.map((s) => s.id));
    const vanished = (old?.subcategories ?? [])
      .filter((s) => !present.has(s.id))
      .map((s) => ({ ...s, deleted: true }));
    return { ...category, subcategories: [...category.subcategories, ...vanished] };
  });
  for (const old of previous.categories) {
    if (byId.has(old.id)) continue;
    categories.push({
      ...old,
      deleted: true,
      subcategories: old.subcategories.map((s) => ({ ...s, deleted: true })),
    });
  }
  const regionIds = new Set(current.regions.map((r) => r.id));
  const regions = [
    ...current.regions,
    ...previous.regions.filter((r) => !regionIds.has(r.id)).map((r) => ({ ...r, deleted: true })),
  ];
  return { regionId: current.regionId, regions, categories };
}

// ---------------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------------

function posIdOf(replyAddress: Record<string, unknown> | undefined): string | undefined {
  const value = replyAddress?.posId;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function httpError(op: string, response: RawResponse): ConnectorError {
  const status = response.status;
  const detail = decodeErrorMessage(parseJsonOrEmpty(response.body));
  const message = `ПОС ${op}: HTTP ${status}${detail ? ` (${redactText(detail).slice(0, 200)})` : ''}`;
  if (status === 429) {
    return new ConnectorError(ConnectorErrorCode.RateLimited, message, {
      status,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    });
  }
  if (status >= 500 || status === 408) {
    // ПОС down for maintenance may say when to come back (503 with Retry-After): not asked again sooner.
    const header = response.headers.get('retry-after');
    return new ConnectorError(ConnectorErrorCode.Temporary, message, {
      status,
      ...(header ? { retryAfterMs: retryAfterMs(header) } : {}),
    });
  }
  if (status === 401 || status === 403)
    return new ConnectorError(ConnectorErrorCode.AuthFailed, message, { status });
  if (status === 404) return new ConnectorError(ConnectorErrorCode.NotFound, message, { status });
  return new ConnectorError(ConnectorErrorCode.InvalidPayload, message, { status });
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(header: string | null): number {
  if (!header) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - Date.now());
}

/**
 * A 2xx answer's JSON. One that does not parse is a gateway's page or a body cut short, not ПОС's word on what we
 * sent: Temporary (every call of ours carries an Idempotency-Key, so the retry is safe), of unknown outcome.
 */
function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(jsonText(body));
  } catch {
    throw new ConnectorError(ConnectorErrorCode.Temporary, `ПОС ${what}: body is not JSON`, {
      outcomeUnknown: true,
    });
  }
}

function parseJsonOrEmpty(body: Buffer): unknown {
  try {
    return body.length > 0 ? JSON.parse(jsonText(body)) : undefined;
  } catch {
    return undefined;
  }
}

/** The body as text without the UTF-8 byte order mark some servers put before their JSON (JSON.parse refuses it). */
function jsonText(body: Buffer): string {
  return body.toString('utf8').replace(/^\uFEFF/, '');
}

function invalid(what: string, error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const reason = error instanceof WireError ? error.message : 'unexpected shape';
  return new ConnectorError(ConnectorErrorCode.InvalidPayload, `ПОС ${what}: ${reason}`);
}

/** RFC 6266: prefers `filename*=UTF-8''…` (Cyrillic names) over `filename="…"`. */
export function fileNameFrom(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[2].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header);
  const name = plain?.[1] ?? plain?.[2]?.trim();
  return name ? name : undefined;
}
