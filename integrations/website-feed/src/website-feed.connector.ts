import { JsonLogger } from '@inbox/common';
import {
  Channel,
  type ChannelAccountRef,
  clipLongText,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  contentTypeOf,
  decodeHtmlEntities,
  type DeliveryReceipt,
  downloadAttachment,
  type FetchedFile,
  type InboundAttachment,
  type InboundItem,
  positiveNumber,
  safeFileName,
  type PullPage,
  instantMsInZone,
  isKnownTimeZone,
  type Regime,
  isTooLarge,
  maxResponseBytesOf,
  readBodyCapped,
  errorSummary,
  unreadableItemReason,
  accountConnections,
} from '@inbox/integrations/contract';

/** A remote item the connector could not turn into an InboundItem: the core quarantines it whole. */
export interface RejectedFeedItem {
  externalId?: string;
  reason: string;
  raw: unknown;
}

/** PullPage extended structurally with the items the connector refused (to be moved into the contract). */
export type WebsiteFeedPullPage = PullPage & { rejected: RejectedFeedItem[] };

/** Dot paths into one feed item. `externalId`, `text` and `createdAt` are required. */
export interface WebsiteFeedFieldMap {
  externalId: string;
  text: string;
  createdAt: string;
  surname?: string;
  firstName?: string;
  patronymic?: string;
  email?: string;
  phone?: string;
  /** The applicant's postal address (59-ФЗ ст. 7: where to send the answer). */
  address?: string;
  /** Where the problem is, when the site asks for it separately. */
  location?: string;
  subject?: string;
  /**
   * The files the citizen attached on the site: a list of links (`"/files/a.pdf"`, relative to the feed or whole),
   * or of objects `{ url | href | link, name | fileName | title, size?, contentType | mimeType? }`.
   */
  attachments?: string;
}

/** What `account.settings` of a website feed account holds. */
export interface WebsiteFeedSettings {
  url: string;
  cursorField: 'id' | 'timestamp';
  /** Dot path to the array of items in the answer ('data.items'); '' when the answer is the array. */
  itemsPath: string;
  fieldMap: WebsiteFeedFieldMap;
  pageSizeParam: string;
  cursorParam: string;
  /** Goes into externalIds (`feed:<siteKey>:<id>`); the account id when absent. */
  siteKey?: string;
  /** 'appeal' (59-ФЗ, the default: a public reception's written appeal) or 'message'. */
  regime?: Regime;
  timeoutMs?: number;
  /** The most read of one answer, in bytes (WEBSITE_FEED_MAX_RESPONSE_BYTES; 64 MB by default). */
  maxResponseBytes?: number;
  /** Hosts besides the feed's own the site's files may be downloaded from (its file storage). */
  attachmentHosts?: string[];
  /** The largest file downloaded, in bytes (20 MiB by default). */
  maxAttachmentBytes?: number;
  /**
   * The IANA zone the site writes its zone-less times in (`2025-02-01 23:30:00`, `01.02.2025 23:30`): the site's
   * server clock, usually the region's. Europe/Moscow when not set, as for ПОС and МЭДО.
   */
  timeZone?: string;
}

/** Where a Russian site's zone-less times are read when the account names no zone. */
export const DEFAULT_FEED_TIME_ZONE = 'Europe/Moscow';

/** By id: the last id taken. By timestamp: the latest instant (as the site wrote it) and every id taken at it. */
export type WebsiteFeedCursor = { afterId: string } | { since: string; idsAtSince: string[] };

export interface WebsiteFeedConnectorOptions {
  timeoutMs?: number;
  logger?: JsonLogger;
}

interface FeedConfig
  extends Required<
    Omit<
      WebsiteFeedSettings,
      'timeoutMs' | 'regime' | 'maxResponseBytes' | 'attachmentHosts' | 'maxAttachmentBytes' | 'timeZone'
    >
  > {
  regime: Regime;
  timeZone: string;
  timeoutMs: number;
  maxResponseBytes: number;
  bearerToken?: string;
}

interface Decoded {
  id?: string;
  tsMs?: number;
  tsRaw?: string;
  item?: InboundItem;
  reason?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** The item fields a feed must map, by their Russian names (the settings' problems name them so). */
const REQUIRED_FIELD_LABELS = {
  externalId: 'Поле номера записи',
  text: 'Поле текста',
  createdAt: 'Поле даты',
} as const;
const DEFAULT_RETRY_AFTER_MS = 60_000;
const MAX_PAGE = 1000;

/**
 * A public reception site that keeps its own form and publishes what it receives as a JSON feed: the
 * connector pulls it by id or by timestamp, maps fields through the account's field map and refuses items
 * that lack what an appeal needs. Answers go out by e-mail, not through the site.
 */
export class WebsiteFeedConnector implements Connector {
  readonly channel = Channel.Website;
  readonly mode = 'pull' as const;
  private readonly timeoutMs: number;
  private readonly logger: JsonLogger;

  constructor(options: WebsiteFeedConnectorOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.logger = options.logger ?? new JsonLogger('website-feed-connector');
  }

  async check(account: ChannelAccountRef): Promise<void> {
    const config = this.config(account);
    await this.fetchItems(config, undefined, 1);
  }

  async pull(account: ChannelAccountRef, cursor: unknown, limit: number): Promise<WebsiteFeedPullPage> {
    const config = this.config(account);
    const start = parseCursor(cursor, config);
    let wanted = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1));

    for (let size = wanted; ; ) {
      let raws: unknown[];
      try {
        raws = await this.fetchItems(config, start, size);
      } catch (error) {
        if (!isTooLarge(error)) throw error;
        this.logger.error('website feed answer over the size limit', {
          accountId: account.id,
          pageSize: size,
          maxResponseBytes: config.maxResponseBytes,
        });
        // One item alone over the limit, or a page widened past ties that does not fit: the account's pull stops
        // here, the cursor where it was (nothing received is lost), with the error on the account.
        if (size === 1 || size > wanted) {
          throw new ConnectorError(
            ConnectorErrorCode.InvalidPayload,
            `website feed: a page of ${size} is larger than ${config.maxResponseBytes} bytes ` +
              '(maxResponseBytes, WEBSITE_FEED_MAX_RESPONSE_BYTES)',
            { status: 413 },
          );
        }
        // Otherwise fewer items a page.
        wanted = size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      const page = this.process(account, config, start, raws);
      const full = raws.length >= size;
      if (!full || page.progressed || size >= MAX_PAGE || config.cursorField === 'id') {
        if (full && !page.progressed) {
          throw new ConnectorError(
            ConnectorErrorCode.InvalidPayload,
            config.cursorField === 'id'
              ? 'website feed ignores the cursor: a full page of items at or before it'
              : `website feed: more than ${size} items share one timestamp`,
          );
        }
        return {
          items: page.items,
          events: [],
          rejected: page.rejected,
          nextCursor: page.next ?? null,
          hasMore: full,
        };
      }
      // With an inclusive timestamp cursor a full page of already-taken ties would repeat forever: widen it.
      size = Math.min(MAX_PAGE, size * 2);
    }
  }

  /**
   * A file the citizen attached on the site, by the link the feed gave: from the feed's own host or the account's
   * `attachmentHosts` only, within `maxAttachmentBytes`. The feed's token is not sent: it is for the feed.
   */
  async fetchAttachment(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile> {
    const config = this.config(account);
    const s = account.settings ?? {};
    const extra = Array.isArray(s.attachmentHosts)
      ? s.attachmentHosts.filter((h): h is string => typeof h === 'string' && h !== '')
      : [];
    return downloadAttachment(
      remoteRef,
      {
        maxAttachmentBytes: positiveNumber(s.maxAttachmentBytes, 20 * 1024 * 1024),
        requestTimeoutMs: config.timeoutMs,
        attachmentHosts: [new URL(config.url).hostname, ...extra],
      },
      'website feed attachment',
    );
  }

  /** Answers to feed appeals go out by e-mail (or the channel the citizen chose); the site has no return path. */
  async send(): Promise<DeliveryReceipt> {
    throw new ConnectorError(ConnectorErrorCode.NotFound, 'the website feed has no outbound path of its own');
  }

  // ---------------------------------------------------------------------------------------------------

  private process(
    account: ChannelAccountRef,
    config: FeedConfig,
    start: WebsiteFeedCursor | undefined,
    raws: unknown[],
  ): { items: InboundItem[]; rejected: RejectedFeedItem[]; next?: WebsiteFeedCursor; progressed: boolean } {
    const items: InboundItem[] = [];
    const rejected: RejectedFeedItem[] = [];
    let next = start;
    let progressed = false;
    // Each id taken on this page, with the item as the site sent it.
    const seen = new Map<string, string>();

    for (const raw of raws) {
      try {
        const d = decodeItem(raw, config);
        const externalId = d.id !== undefined ? `feed:${config.siteKey}:${d.id}` : undefined;
        if (d.id !== undefined) {
          const first = seen.get(d.id);
          if (first !== undefined) {
            // The same item repeated is nothing new; another item under a taken id (a site's bug) would be lost as a
            // duplicate of the first: it goes to the quarantine, where staff see it.
            if (first !== JSON.stringify(raw))
              rejected.push({
                externalId,
                reason: `В ленте сайта второе, другое обращение с тем же идентификатором (${d.id}): не зарегистрировано, проверьте его вручную`,
                raw,
              });
            continue;
          }
          if (isBehind(d, start, config.timeZone)) continue;
          seen.set(d.id, JSON.stringify(raw));
        }

        // Advance over anything we can place, rejected or not, so a bad item cannot block the feed.
        const advanced = advance(next, d, config);
        if (advanced !== next) {
          next = advanced;
          progressed = true;
        }
        if (d.reason !== undefined || !d.item) {
          const reason = d.reason ?? 'unusable item';
          rejected.push({ externalId, reason, raw });
          this.logger.warn('website feed item rejected', { accountId: account.id, externalId, reason });
          continue;
        }
        items.push(d.item);
      } catch (error) {
        // An item our reading trips over (a shape never seen, a bug of ours): quarantined whole with the reason; the
        // cursor moves past it when its id (and time) can be read, so it neither stops the items after it nor
        // comes back on every pull.
        const d = placeOf(raw, config);
        const externalId = d.id !== undefined ? `feed:${config.siteKey}:${d.id}` : undefined;
        if (isBehind(d, start, config.timeZone)) continue;
        const advanced = advance(next, d, config);
        if (advanced !== next) {
          next = advanced;
          progressed = true;
        }
        rejected.push({ externalId, reason: unreadableItemReason('Обращение с сайта', error), raw });
        this.logger.error('website feed item could not be read', {
          accountId: account.id,
          externalId,
          error: errorSummary(error),
        });
      }
    }
    return { items, rejected, next, progressed };
  }

  private async fetchItems(
    config: FeedConfig,
    cursor: WebsiteFeedCursor | undefined,
    size: number,
  ): Promise<unknown[]> {
    const url = new URL(config.url);
    url.searchParams.set(config.pageSizeParam, String(size));
    if (cursor) url.searchParams.set(config.cursorParam, 'afterId' in cursor ? cursor.afterId : cursor.since);
    let status: number;
    let headers: Headers;
    let body: Buffer;
    try {
      const response = await fetch(url, {
        headers: {
          accept: 'application/json',
          ...(config.bearerToken ? { authorization: `Bearer ${config.bearerToken}` } : {}),
        },
        // Not followed: a site that sends us elsewhere (another host, an address inside our network) would get
        // its answer read as appeals. The URL is set to where the feed really is.
        redirect: 'manual',
        // The feed's host is checked again when connecting: a name saved public may resolve inside by now.
        dispatcher: accountConnections.dispatcher,
        signal: AbortSignal.timeout(config.timeoutMs),
      } as RequestInit);
      status = response.status;
      headers = response.headers;
      if (status >= 300 && status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new ConnectorError(
          ConnectorErrorCode.AuthFailed,
          `website feed: the site redirects (HTTP ${status}); set the feed URL to the address it leads to`,
          { status, fields: { url: 'the site redirects: not followed' } },
        );
      }
      // An answer over the limit is not read on (a broken or hostile site must not exhaust the worker's memory).
      body = await readBodyCapped('website feed', response, config.maxResponseBytes);
    } catch (error) {
      if (isTooLarge(error) || error instanceof ConnectorError) throw error;
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'network error';
      throw new ConnectorError(ConnectorErrorCode.Temporary, `website feed: ${reason}`);
    }
    if (status < 200 || status >= 300) throw httpError(status, headers);

    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
    } catch {
      throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'website feed: body is not JSON');
    }
    const list = config.itemsPath === '' ? json : getPath(json, config.itemsPath);
    if (!Array.isArray(list)) {
      throw new ConnectorError(
        ConnectorErrorCode.InvalidPayload,
        `website feed: no array at "${config.itemsPath}"`,
      );
    }
    return list;
  }

  private config(account: ChannelAccountRef): FeedConfig {
    const s = (account.settings ?? {}) as Partial<Record<keyof WebsiteFeedSettings, unknown>>;
    // Each reason in Russian, named by the setting's label and key: it reaches the administrator as is (the
    // account's last error on the admin screen, and the worker's log).
    const problems: Record<string, string> = {};
    const url = typeof s.url === 'string' && /^https?:\/\/[^/]+/.test(s.url) ? s.url : '';
    if (!url) problems.url = '«Адрес ленты» (url): укажите адрес http:// или https://';
    const cursorField = s.cursorField === 'id' || s.cursorField === 'timestamp' ? s.cursorField : undefined;
    if (!cursorField) problems.cursorField = '«Курсор» (cursorField): «id» или «timestamp»';
    const itemsPath = typeof s.itemsPath === 'string' ? s.itemsPath.replace(/^\$\.?/, '') : undefined;
    if (itemsPath === undefined)
      problems.itemsPath =
        '«Путь к списку обращений» (itemsPath): не задан (пустая строка — ответ сам список)';
    const fieldMap = (typeof s.fieldMap === 'object' && s.fieldMap !== null ? s.fieldMap : {}) as Record<
      string,
      unknown
    >;
    for (const [key, label] of Object.entries(REQUIRED_FIELD_LABELS)) {
      if (typeof fieldMap[key] !== 'string' || fieldMap[key] === '')
        problems[`fieldMap.${key}`] = `«${label}» (fieldMap.${key}): не задан путь к полю`;
    }
    for (const [key, value] of Object.entries(fieldMap)) {
      if (value !== undefined && typeof value !== 'string')
        problems[`fieldMap.${key}`] = `«Поле ${key}» (fieldMap.${key}): путь через точку, строкой`;
    }
    const pageSizeParam = typeof s.pageSizeParam === 'string' && s.pageSizeParam ? s.pageSizeParam : '';
    if (!pageSizeParam)
      problems.pageSizeParam = '«Параметр размера страницы» (pageSizeParam): не задано имя параметра запроса';
    const cursorParam = typeof s.cursorParam === 'string' && s.cursorParam ? s.cursorParam : '';
    if (!cursorParam)
      problems.cursorParam = '«Параметр курсора» (cursorParam): не задано имя параметра запроса';
    const regime = s.regime === 'message' ? 'message' : 'appeal';
    const timeZone =
      typeof s.timeZone === 'string' && s.timeZone.trim() ? s.timeZone.trim() : DEFAULT_FEED_TIME_ZONE;
    if (!isKnownTimeZone(timeZone))
      problems.timeZone = '«Часовой пояс» (timeZone): часовой пояс IANA, например Asia/Novosibirsk';
    if (Object.keys(problems).length > 0) {
      // Nothing to retry: the account needs a person to fix its configuration.
      throw new ConnectorError(
        ConnectorErrorCode.AuthFailed,
        `Лента сайта не настроена: ${Object.values(problems).join('; ')}`,
        { fields: problems, toAdministrator: true },
      );
    }
    return {
      url,
      cursorField: cursorField!,
      itemsPath: itemsPath!,
      fieldMap: fieldMap as unknown as WebsiteFeedFieldMap,
      pageSizeParam,
      cursorParam,
      siteKey: typeof s.siteKey === 'string' && s.siteKey ? s.siteKey : account.id,
      regime,
      timeZone,
      timeoutMs: typeof s.timeoutMs === 'number' && s.timeoutMs > 0 ? s.timeoutMs : this.timeoutMs,
      maxResponseBytes: maxResponseBytesOf(s),
      bearerToken: account.secrets?.bearerToken || undefined,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------------

/** The text at `path` in an item (a finite number as its digits), trimmed; undefined when empty or absent. */
function textAt(raw: unknown, path: string | undefined): string | undefined {
  if (!path) return undefined;
  const value = getPath(raw, path);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.normalize('NFC').trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The text of an appeal the site sent with files and no words. */
export const NO_TEXT_FROM_SITE = 'Текст обращения не передан сайтом: см. вложения.';

function decodeItem(raw: unknown, config: FeedConfig): Decoded {
  const map = config.fieldMap;
  const field = (path: string | undefined) => textAt(raw, path);
  if (typeof raw !== 'object' || raw === null)
    return { reason: 'Запись ленты сайта — не обращение (не объект JSON)' };

  // The citizen's words as a PHP site stores them may be HTML-escaped (htmlspecialchars): read as typed.
  const words = (path: string | undefined) => {
    const value = field(path);
    return value === undefined ? undefined : decodeHtmlEntities(value);
  };
  const id = field(map.externalId);
  const tsRawValue = getPath(raw, map.createdAt);
  const tsMs = instantMs(tsRawValue, config.timeZone);
  const tsRaw = tsMs !== undefined ? String(tsRawValue) : undefined;
  const base: Decoded = { id, tsMs, tsRaw };

  const files = map.attachments
    ? filesOf(getPath(raw, map.attachments), config.url)
    : { files: [], unread: 0 };
  // No words but files (a scan of the letter, a photo): still the citizen's appeal, for a clerk to read. A subject
  // alone is not (on a site's form it is mostly a topic picked from a list): such an item stays in quarantine.
  const text = words(map.text) ?? (files.files.length > 0 ? NO_TEXT_FROM_SITE : undefined);
  const missing: string[] = [];
  if (id === undefined) missing.push(map.externalId);
  if (text === undefined) missing.push(map.text);
  if (tsMs === undefined) missing.push(map.createdAt);
  if (missing.length > 0)
    return {
      ...base,
      reason: `В обращении с сайта нет обязательного поля или оно не распознано: ${missing.join(', ')}`,
    };
  // A longer text is still the citizen's appeal: its beginning is the appeal's text, the whole of it a file beside.
  const clipped = clipLongText(text!);

  const email = field(map.email);
  const phone = field(map.phone);
  const postalAddress = field(map.address);
  // A link we cannot read is said on the appeal: the citizen attached something, and the clerk can ask for it.
  const note = files.unread > 0 ? `\n\nВложения с сайта не распознаны: ${files.unread}.` : '';
  const attachments = [...(clipped.file ? [clipped.file] : []), ...files.files];
  const item: InboundItem = {
    channel: Channel.Website,
    externalId: `feed:${config.siteKey}:${id}`,
    receivedAt: new Date(tsMs!).toISOString(),
    regime: config.regime,
    author: {
      surname: field(map.surname),
      firstName: field(map.firstName),
      patronymic: field(map.patronymic),
      email,
      phone,
      postalAddress,
    },
    subject: words(map.subject),
    text: clipped.text + note,
    ...(attachments.length > 0 ? { attachments } : {}),
    address: words(map.location),
    replyAddress: email ? { email } : phone ? { phone } : postalAddress ? { postalAddress } : undefined,
  };
  return { ...base, item };
}

/** Where an item sits in the feed (its id, its time), read apart from the rest of it; what cannot be read is left out. */
function placeOf(raw: unknown, config: FeedConfig): Decoded {
  const map = config.fieldMap;
  const read = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const id = read(() => textAt(raw, map.externalId));
  const tsRawValue = read(() => getPath(raw, map.createdAt));
  const tsMs = read(() => instantMs(tsRawValue, config.timeZone));
  return tsMs !== undefined && Number.isFinite(new Date(tsMs).getTime())
    ? { id, tsMs, tsRaw: String(tsRawValue) }
    : { id };
}

/** The files an item lists, as links to fetch later; entries that give no http(s) link are counted, not kept. */
function filesOf(value: unknown, feedUrl: string): { files: InboundAttachment[]; unread: number } {
  const entries = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  const files: InboundAttachment[] = [];
  let unread = 0;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.normalize('NFC').trim() : undefined);
  for (const [index, entry] of entries.entries()) {
    const record = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    const link = typeof entry === 'string' ? text(entry) : text(record.url ?? record.href ?? record.link);
    let url: URL | undefined;
    try {
      url = link ? new URL(link, feedUrl) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      unread += 1;
      continue;
    }
    let last = url.pathname.split('/').filter(Boolean).pop() ?? '';
    try {
      last = decodeURIComponent(last);
    } catch {
      // kept as written
    }
    const named = safeFileName(text(record.name ?? record.fileName ?? record.filename ?? record.title) ?? '');
    const fileName = named || safeFileName(last) || `file-${index + 1}`;
    const declared = text(record.contentType ?? record.mimeType ?? record.mime);
    const size = Number(record.size);
    files.push({
      fileName,
      contentType: declared?.includes('/') ? declared.toLowerCase() : contentTypeOf(fileName),
      remoteRef: url.href,
      ...(Number.isSafeInteger(size) && size > 0 ? { size } : {}),
    });
  }
  return { files, unread };
}

// ---------------------------------------------------------------------------------------------------
// Cursor
// ---------------------------------------------------------------------------------------------------

function parseCursor(cursor: unknown, config: FeedConfig): WebsiteFeedCursor | undefined {
  const mode = config.cursorField;
  if (cursor === null || cursor === undefined) return undefined;
  const c = cursor as Record<string, unknown>;
  if (mode === 'id' && typeof c === 'object' && typeof c.afterId === 'string' && c.afterId !== '') {
    return { afterId: c.afterId };
  }
  if (
    mode === 'timestamp' &&
    typeof c === 'object' &&
    typeof c.since === 'string' &&
    instantMs(c.since, config.timeZone) !== undefined &&
    Array.isArray(c.idsAtSince) &&
    c.idsAtSince.every((v) => typeof v === 'string')
  ) {
    return { since: c.since, idsAtSince: c.idsAtSince as string[] };
  }
  throw new ConnectorError(
    ConnectorErrorCode.CursorInvalid,
    `stored website feed cursor does not fit ${mode} paging`,
  );
}

/** Whether the item is at or before the cursor (sites often answer inclusively). */
function isBehind(d: Decoded, cursor: WebsiteFeedCursor | undefined, timeZone: string): boolean {
  if (!cursor || d.id === undefined) return false;
  if ('afterId' in cursor) return compareIds(d.id, cursor.afterId) <= 0;
  if (d.tsMs === undefined) return false;
  const since = instantMs(cursor.since, timeZone)!;
  return d.tsMs < since || (d.tsMs === since && cursor.idsAtSince.includes(d.id));
}

function advance(
  cursor: WebsiteFeedCursor | undefined,
  d: Decoded,
  config: FeedConfig,
): WebsiteFeedCursor | undefined {
  const mode = config.cursorField;
  if (d.id === undefined) return cursor;
  if (mode === 'id') {
    if (cursor && 'afterId' in cursor && compareIds(d.id, cursor.afterId) <= 0) return cursor;
    return { afterId: d.id };
  }
  if (d.tsMs === undefined || d.tsRaw === undefined) return cursor;
  if (!cursor || !('since' in cursor)) return { since: d.tsRaw, idsAtSince: [d.id] };
  const since = instantMs(cursor.since, config.timeZone)!;
  if (d.tsMs > since) return { since: d.tsRaw, idsAtSince: [d.id] };
  if (d.tsMs === since && !cursor.idsAtSince.includes(d.id)) {
    return { since: cursor.since, idsAtSince: [...cursor.idsAtSince, d.id] };
  }
  return cursor;
}

/** Numeric ids compare as numbers (9 < 10); anything else as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * ISO 8601, epoch seconds or milliseconds (numbers or digits), a Russian DD.MM.YYYY date (see instantMsOf); a time
 * without a zone is the site's wall time in `timeZone` (the process's zone, UTC on a server, put 23:30 in Irkutsk
 * on the next day and moved the 3-day registration deadline).
 */
function instantMs(value: unknown, timeZone: string): number | undefined {
  return instantMsInZone(value, timeZone);
}

/** `a.b.0.c`: object keys and array indexes. */
export function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function httpError(status: number, headers: Headers): ConnectorError {
  const message = `website feed: HTTP ${status}`;
  if (status === 429) {
    return new ConnectorError(ConnectorErrorCode.RateLimited, message, {
      status,
      retryAfterMs: retryAfterMs(headers.get('retry-after')),
    });
  }
  if (status >= 500 || status === 408) {
    // A site down for maintenance may say when to come back (503 with Retry-After): not asked again sooner.
    const header = headers.get('retry-after');
    return new ConnectorError(ConnectorErrorCode.Temporary, message, {
      status,
      ...(header ? { retryAfterMs: retryAfterMs(header) } : {}),
    });
  }
  if (status === 401 || status === 403)
    return new ConnectorError(ConnectorErrorCode.AuthFailed, message, { status });
  if (status === 404) return new ConnectorError(ConnectorErrorCode.NotFound, message, { status });
  if (status === 400) return new ConnectorError(ConnectorErrorCode.CursorInvalid, message, { status });
  return new ConnectorError(ConnectorErrorCode.InvalidPayload, message, { status });
}

function retryAfterMs(header: string | null): number {
  if (!header) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - Date.now());
}
