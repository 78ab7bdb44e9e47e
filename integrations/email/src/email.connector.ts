import { isIP } from 'node:net';
import { JsonLogger, redactText } from '@inbox/common';
import {
  accountConnections,
  Channel,
  type ChannelAccountRef,
  type Connector,
  ConnectorError,
  ConnectorErrorCode,
  type DeliveryReceipt,
  type DeliveryStateEvent,
  type FetchedFile,
  type InboundItem,
  type LooksUpSends,
  notReceivedAttachmentLine,
  type OutboundMessage,
  type PullPage,
  type SentLookup,
  type ThreadsSentMessages,
} from '@inbox/integrations/contract';
import { type FetchMessageObject, ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { type Logger } from 'nodemailer/lib/shared';
import {
  type ImapSettings,
  imapSettingsOf,
  parseSettingsOf,
  sentFolderOf,
  smtpSettingsOf,
  type SmtpSettings,
} from './account';
import { imapError, smtpError } from './errors';
import { emailThreadKey, outboundMessageId } from './message-id';
import { buildOutboundMail } from './outbound-mail';
import { type OversizedFile, oversizedSource, type OversizedText, planOversized } from './oversized';
import { attachmentRef, formatMb, parseAttachmentRef, parseEmail, type ParsedEmail } from './parse-message';

/** A letter over the size limit as far as it was read (EmailConnector.readInPart). */
interface PartialLetter {
  source: Buffer;
  files: OversizedFile[];
  truncated: boolean;
  internalDate?: Date;
}

/** What was read of a page's letters, by UID; `unreadable` holds the server's word on a letter it would not give. */
interface ReadBatch {
  batch: number[];
  /** What the batch costs the page: its letters' sizes, at most the limit each. */
  bytes: number;
  oversized: Map<number, number>;
  partial: Map<number, PartialLetter>;
  messages: FetchMessageObject[];
  unreadable: Map<number, string>;
}

const TEMPORARY_REFUSALS = new Set(['UNAVAILABLE', 'INUSE', 'LIMIT']);

/**
 * The server refused to give a letter: a tagged NO or BAD, or Dovecot's default answer to a letter it cannot read
 * (`imap_fetch_failure = disconnect-immediately`: `* BYE FETCH failed: …`). A lost connection is not a refusal.
 */
export function refusedByServer(error: unknown): boolean {
  const e = (error && typeof error === 'object' ? error : {}) as {
    responseStatus?: string;
    serverResponseCode?: string;
    code?: string;
    reason?: unknown;
  };
  // RFC 5530's passing states (the store unavailable, the mailbox in use, a limit hit): the pull backs off and
  // asks again rather than quarantine a letter the server will give later.
  if (TEMPORARY_REFUSALS.has(e.serverResponseCode?.toUpperCase() ?? '')) return false;
  if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') return true;
  return e.code === 'NoConnection' && typeof e.reason === 'string' && /^FETCH failed\b/i.test(e.reason);
}

/** The server's words on a refused letter, for staff: no more than a line, personal data masked. */
function refusalText(error: unknown): string {
  const e = (error && typeof error === 'object' ? error : {}) as { responseText?: unknown; reason?: unknown };
  const text =
    typeof e.responseText === 'string' ? e.responseText : typeof e.reason === 'string' ? e.reason : '';
  return redactText(text.replace(/\s+/g, ' ').trim()).slice(0, 200) || 'сервер отказал без объяснения';
}

/** A file's size as a clerk reads it: kilobytes under a megabyte. */
function sizeRu(bytes: number): string {
  return bytes < 1048576 ? `${Math.max(1, Math.round(bytes / 1024))} КБ` : `${formatMb(bytes)} МБ`;
}

/** A part fetched by number: imapflow keys a partial fetch `1]<0>`, a whole one `1`. */
function partOf(parts: Map<string, Buffer> | undefined, part: string): Buffer | undefined {
  if (!parts) return undefined;
  for (const [key, value] of parts) if (key === part || key.startsWith(`${part}]`)) return value;
  return undefined;
}

/**
 * The item of a letter read in part: its files named as not received (left in the mailbox, where staff can open
 * them; a reference to each kept, as for a large attachment of a smaller letter) and a cut text said to be cut.
 */
function withFilesLeftInMailbox(
  item: InboundItem,
  letter: PartialLetter,
  size: number,
  imap: ImapSettings,
  uidValidity: number,
  uid: number,
): InboundItem {
  const limit = formatMb(imap.maxMessageBytes);
  const lines = [
    ...(letter.truncated ? [`Текст письма получен не полностью: письмо больше ${limit} МБ.`] : []),
    ...letter.files.map((f) => notReceivedAttachmentLine(f.fileName, sizeRu(f.size))),
    ...(letter.files.length
      ? [`Письмо (${formatMb(size)} МБ) больше допустимых ${limit} МБ: файлы остались в почтовом ящике.`]
      : []),
  ];
  return {
    ...item,
    text: [item.text, lines.join('\n')].filter(Boolean).join('\n\n'),
    attachments: [
      ...(item.attachments ?? []),
      ...letter.files.map((f) => ({
        fileName: f.fileName,
        contentType: f.contentType,
        size: f.size,
        remoteRef: attachmentRef(imap.mailbox, uidValidity, uid, f.part),
      })),
    ],
  };
}

/** Where the connector stopped in one mailbox: UIDs are only meaningful within one UIDVALIDITY (RFC 3501 2.3.1.1). */
export interface EmailCursor {
  uidValidity: number;
  lastUid: number;
}

export interface EmailSkipped {
  externalId: string;
  reason: string;
}

export interface EmailRejected {
  externalId?: string;
  reason: string;
  /** The message source, base64, when it is small enough to keep for a human to look at. */
  raw?: string;
}

/**
 * A page of the mailbox. Besides items and delivery-state events it lists what was left out on purpose
 * (auto-replies, unrelated bounces) and what could not be read, so that nothing vanishes silently.
 */
export type EmailPullPage = PullPage & {
  nextCursor: EmailCursor;
  events: DeliveryStateEvent[];
  skipped: EmailSkipped[];
  rejected: EmailRejected[];
  /** Set when the mailbox's UIDVALIDITY changed and the page starts over from its first message. */
  resync?: { reason: 'uidvalidity-changed'; previousUidValidity: number; uidValidity: number };
};

export interface EmailConnectorOptions {
  logger?: JsonLogger;
  now?: () => Date;
  /** Rejected messages up to this size carry their raw source in the page. */
  maxRejectedRawBytes?: number;
}

const DEFAULT_LIMIT = 50;

function readCursor(cursor: unknown): EmailCursor | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const c = cursor as Record<string, unknown>;
  const uidValidity = typeof c.uidValidity === 'string' ? Number(c.uidValidity) : c.uidValidity;
  const lastUid = typeof c.lastUid === 'string' ? Number(c.lastUid) : c.lastUid;
  if (
    typeof cursor !== 'object' ||
    typeof uidValidity !== 'number' ||
    typeof lastUid !== 'number' ||
    !Number.isInteger(uidValidity) ||
    !Number.isInteger(lastUid) ||
    uidValidity < 1 ||
    lastUid < 0
  ) {
    throw new ConnectorError(
      ConnectorErrorCode.CursorInvalid,
      'E-mail cursor must be { uidValidity: positive integer, lastUid: integer >= 0 }',
    );
  }
  return { uidValidity, lastUid };
}

/**
 * A mailbox read over IMAP and answered over SMTP. Credentials and servers come with each account;
 * every call opens its own connection and closes it, so nothing is shared between accounts.
 */
export class EmailConnector implements Connector, ThreadsSentMessages, LooksUpSends {
  readonly channel = Channel.Email;
  readonly mode = 'pull' as const;

  /** Our Message-ID (the receipt's remote id) is the thread key a reply's In-Reply-To names. */
  threadKeysOfSent(remoteId: string): string[] {
    return [emailThreadKey(remoteId)];
  }

  private readonly logger: JsonLogger;
  private readonly now: () => Date;
  private readonly maxRejectedRawBytes: number;

  constructor(options: EmailConnectorOptions = {}) {
    this.logger = options.logger ?? new JsonLogger('email-connector');
    this.now = options.now ?? (() => new Date());
    this.maxRejectedRawBytes = options.maxRejectedRawBytes ?? 1024 * 1024;
  }

  async check(account: ChannelAccountRef): Promise<void> {
    const imap = imapSettingsOf(account);
    await this.withImap(imap, 'check', async (client) => {
      const status = await client.status(imap.mailbox, { uidValidity: true });
      if (!status) throw new ConnectorError(ConnectorErrorCode.NotFound, 'IMAP check: mailbox not found');
    });
    const smtp = smtpSettingsOf(account);
    const transport = await this.transport(smtp);
    try {
      await transport.verify();
    } catch (error) {
      throw smtpError(error);
    } finally {
      transport.close();
    }
  }

  async pull(account: ChannelAccountRef, cursor: unknown, limit: number): Promise<EmailPullPage> {
    const imap = imapSettingsOf(account);
    const parsing = parseSettingsOf(account);
    const start = readCursor(cursor);
    const pageSize = Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_LIMIT;

    const fetched = await this.withImap(imap, 'pull', async (client) => {
      const lock = await client.getMailboxLock(imap.mailbox, { readOnly: true });
      try {
        const mailbox = client.mailbox;
        if (!mailbox)
          throw new ConnectorError(ConnectorErrorCode.Temporary, 'IMAP pull: mailbox not selected');
        const uidValidity = Number(mailbox.uidValidity);
        let lastUid = 0;
        let resync: EmailPullPage['resync'];
        if (start && start.uidValidity === uidValidity) lastUid = start.lastUid;
        else if (start) {
          // Every UID we knew is void. Start over; the Message-ID dedupe keeps what we already have single.
          resync = { reason: 'uidvalidity-changed', previousUidValidity: start.uidValidity, uidValidity };
          this.logger.warn('mailbox UIDVALIDITY changed, reading it again from the start', {
            accountId: account.id,
            previousUidValidity: start.uidValidity,
            uidValidity,
          });
        }
        // `n:*` always matches the last message even when its UID is below n (RFC 3501 6.4.8): filter.
        const found = mailbox.exists ? await client.search({ uid: `${lastUid + 1}:*` }, { uid: true }) : [];
        const uids = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
        const listed = uids.slice(0, pageSize);
        const base = { uidValidity, lastUid, resync, listed, more: uids.length > listed.length };
        try {
          return { ...base, read: await this.readBatch(client, listed, imap, account.id) };
        } catch (error) {
          // One letter the server will not give must not hold up the mailbox: read the page letter by letter.
          if (!refusedByServer(error)) throw error;
          return { ...base, read: undefined };
        }
      } finally {
        lock.release();
      }
    });

    const read =
      fetched.read ?? (await this.readOneByOne(imap, account.id, fetched.uidValidity, fetched.listed));
    const batch = read.batch;
    const page: EmailPullPage = {
      items: [],
      events: [],
      skipped: [],
      rejected: [],
      nextCursor: {
        uidValidity: fetched.uidValidity,
        lastUid: batch.length ? batch[batch.length - 1] : fetched.lastUid,
      },
      hasMore: fetched.more || batch.length < fetched.listed.length,
      ...(fetched.resync ? { resync: fetched.resync } : {}),
    };
    const byUid = new Map(read.messages.map((m) => [m.uid, m]));
    for (const uid of batch) {
      const unreadable = read.unreadable.get(uid);
      if (unreadable !== undefined) {
        page.rejected.push({
          externalId: `uid:${fetched.uidValidity}:${uid}`,
          reason: `Письмо не удалось прочитать с почтового сервера: ${unreadable}`,
        });
        continue;
      }
      const size = read.oversized.get(uid);
      const partial = read.partial.get(uid);
      if (size !== undefined && partial) {
        const result = await parseEmail(partial.source, {
          ...parsing,
          mailbox: imap.mailbox,
          uidValidity: fetched.uidValidity,
          uid,
          receivedAt: partial.internalDate,
          now: this.now,
        });
        if (result.kind === 'item') {
          page.items.push(withFilesLeftInMailbox(result.item, partial, size, imap, fetched.uidValidity, uid));
          continue;
        }
        if (result.kind === 'delivery-state') page.events.push(result.event);
        else if (result.kind === 'skipped') this.skip(page, account, uid, result);
        else
          page.rejected.push({
            externalId: result.externalId ?? `uid:${fetched.uidValidity}:${uid}`,
            reason: result.reason,
          });
        continue;
      }
      if (size !== undefined) {
        this.logger.warn('e-mail message too large, quarantined unread', {
          accountId: account.id,
          uid,
          size,
        });
        page.rejected.push({
          externalId: `uid:${fetched.uidValidity}:${uid}`,
          reason: `Письмо больше предела (${size} байт при пределе ${imap.maxMessageBytes}), и его части не удалось прочитать: оно оставлено в почтовом ящике`,
        });
        continue;
      }
      const message = byUid.get(uid);
      // Expunged between SEARCH and FETCH: gone from the mailbox, nothing to read.
      if (!message) continue;
      if (!message.source) {
        page.rejected.push({
          externalId: `uid:${fetched.uidValidity}:${uid}`,
          reason: 'Почтовый сервер не отдал текст письма: оно оставлено в почтовом ящике',
        });
        continue;
      }
      const internalDate = message.internalDate ? new Date(message.internalDate) : undefined;
      const result = await parseEmail(message.source, {
        ...parsing,
        mailbox: imap.mailbox,
        uidValidity: fetched.uidValidity,
        uid,
        receivedAt: internalDate && !Number.isNaN(internalDate.getTime()) ? internalDate : undefined,
        now: this.now,
      });
      switch (result.kind) {
        case 'item':
          page.items.push(result.item);
          break;
        case 'delivery-state':
          page.events.push(result.event);
          break;
        case 'skipped':
          this.skip(page, account, uid, result);
          break;
        case 'rejected':
          this.logger.warn('e-mail message rejected', { accountId: account.id, uid, reason: result.reason });
          page.rejected.push({
            externalId: result.externalId ?? `uid:${fetched.uidValidity}:${uid}`,
            // Past the size kept here the letter is only in the mailbox (nothing is deleted there): said so.
            ...(message.source.length <= this.maxRejectedRawBytes
              ? { reason: result.reason, raw: message.source.toString('base64') }
              : {
                  reason: `${result.reason.replace(/\.?$/, '.')} Исходное письмо (${sizeRu(message.source.length)}) в карантин не скопировано: оно осталось в почтовом ящике.`,
                }),
          });
          break;
      }
    }
    this.logger.info('e-mail page pulled', {
      accountId: account.id,
      items: page.items.length,
      events: page.events.length,
      skipped: page.skipped.length,
      rejected: page.rejected.length,
      lastUid: page.nextCursor.lastUid,
    });
    return page;
  }

  /** Left out on purpose (our own letter back, a delay notice): on the page, and one log line by UID and reason. */
  private skip(
    page: EmailPullPage,
    account: ChannelAccountRef,
    uid: number,
    skipped: Extract<ParsedEmail, { kind: 'skipped' }>,
  ): void {
    page.skipped.push({ externalId: skipped.externalId, reason: skipped.reason });
    this.logger.info('e-mail message skipped', { accountId: account.id, uid, reason: skipped.reason });
  }

  /**
   * One letter over SMTP. A failure with the server's reply (4xx, 5xx) is the server's word; one without it (the
   * connection cut, no reply in time) after the whole letter went out, ending dot and all, leaves its fate unknown
   * (`outcomeUnknown`): the server may have accepted it and said so to a socket that was gone. Before that point it
   * cannot have: a server takes nothing short of the final dot (RFC 5321 4.1.1.4).
   */
  async send(account: ChannelAccountRef, message: OutboundMessage): Promise<DeliveryReceipt> {
    const smtp = smtpSettingsOf(account);
    const mail = buildOutboundMail(smtp, message);
    let letterWritten = false;
    const transport = await this.transport(smtp, () => (letterWritten = true));
    try {
      const info = await transport.sendMail(mail.options);
      if (info.rejected?.length) {
        throw new ConnectorError(ConnectorErrorCode.InvalidPayload, 'SMTP: the recipient was refused', {
          fields: { recipient: 'Почтовый сервер отклонил адрес получателя' },
        });
      }
    } catch (error) {
      let mapped = smtpError(error);
      const replied = typeof (error as { responseCode?: unknown } | null)?.responseCode === 'number';
      if (letterWritten && !replied && !(error instanceof ConnectorError)) {
        mapped = new ConnectorError(mapped.code, `${mapped.message} (after the letter was sent)`, {
          ...mapped.details,
          outcomeUnknown: true,
        });
      }
      this.logger.warn('e-mail send failed', {
        accountId: account.id,
        outboundId: message.id,
        code: mapped.code,
        outcomeUnknown: !!mapped.details.outcomeUnknown,
      });
      throw mapped;
    } finally {
      transport.close();
    }
    this.logger.info('e-mail sent', { accountId: account.id, outboundId: message.id });
    return { remoteId: mail.messageId, sentAt: this.now().toISOString() };
  }

  /**
   * Whether a letter of ours went out, by its Message-ID (derived from the message's id alone, so the same on every
   * attempt) in the mailbox's Sent folder (sentFolderOf): found, it was sent, and its date there is the receipt's;
   * absent, it was not accepted only where the provider files every accepted letter there itself (smtpSavesToSent);
   * elsewhere, or without a Sent folder, nobody can tell. An unreachable server throws (Temporary).
   */
  async lookUpSent(account: ChannelAccountRef, message: Pick<OutboundMessage, 'id'>): Promise<SentLookup> {
    const imap = imapSettingsOf(account);
    const sent = sentFolderOf(account);
    const messageId = outboundMessageId(message.id, smtpSettingsOf(account).fromAddress);
    return this.withImap(imap, 'lookUpSent', async (client) => {
      const folder =
        sent.mailbox ?? (await client.list()).find((m) => m.specialUse === '\\Sent')?.path ?? undefined;
      if (!folder) return { kind: 'unknown', why: 'the mailbox has no Sent folder' };
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        const found =
          client.mailbox && client.mailbox.exists
            ? await client.search({ header: { 'message-id': `<${messageId}>` } }, { uid: true })
            : [];
        const uid = (found || [])[0];
        if (uid !== undefined) {
          const copy = await client.fetchOne(String(uid), { internalDate: true }, { uid: true });
          const filed = copy && copy.internalDate ? new Date(copy.internalDate) : undefined;
          this.logger.info('e-mail found in the Sent folder', {
            accountId: account.id,
            outboundId: message.id,
          });
          return {
            kind: 'sent',
            receipt: {
              remoteId: messageId,
              sentAt: (filed && !Number.isNaN(filed.getTime()) ? filed : this.now()).toISOString(),
            },
          };
        }
        if (sent.savedBySmtp) return { kind: 'not-sent' };
        return {
          kind: 'unknown',
          why: 'not in the Sent folder, and the provider does not file sent letters there',
        };
      } finally {
        lock.release();
      }
    });
  }

  /** An attachment that was too large to come inline: read from the message still in the mailbox. */
  async fetchAttachment(account: ChannelAccountRef, remoteRef: string): Promise<FetchedFile> {
    const ref = parseAttachmentRef(remoteRef);
    if (!ref)
      throw new ConnectorError(ConnectorErrorCode.NotFound, 'E-mail attachment reference is not valid');
    const imap = imapSettingsOf(account);
    return this.withImap(imap, 'fetchAttachment', async (client) => {
      const lock = await client.getMailboxLock(ref.mailbox, { readOnly: true });
      try {
        if (!client.mailbox || Number(client.mailbox.uidValidity) !== ref.uidValidity) {
          throw new ConnectorError(
            ConnectorErrorCode.NotFound,
            'IMAP fetchAttachment: the mailbox was rebuilt',
          );
        }
        const download = await client.download(String(ref.uid), ref.partId, { uid: true });
        if (!download.content) {
          throw new ConnectorError(
            ConnectorErrorCode.NotFound,
            'IMAP fetchAttachment: no such message or part',
          );
        }
        const chunks: Buffer[] = [];
        for await (const chunk of download.content) chunks.push(Buffer.from(chunk as Buffer));
        return {
          fileName: download.meta.filename ?? `attachment-${ref.partId}`,
          contentType: download.meta.contentType ?? 'application/octet-stream',
          content: Buffer.concat(chunks),
        };
      } finally {
        lock.release();
      }
    });
  }

  /**
   * The letters of `listed` a page takes: sizes first (RFC822.SIZE), so that a letter over the limit is not
   * downloaded and a page stops at twice the limit; the rest fetched whole, the large ones read in part.
   */
  private async readBatch(
    client: ImapFlow,
    listed: number[],
    imap: ImapSettings,
    accountId: string,
  ): Promise<ReadBatch> {
    const sizes = new Map<number, number>();
    if (listed.length)
      for (const m of await client.fetchAll(listed.join(','), { uid: true, size: true }, { uid: true }))
        sizes.set(m.uid, m.size ?? 0);
    const batch: number[] = [];
    const oversized = new Map<number, number>();
    let bytes = 0;
    for (const uid of listed) {
      const size = sizes.get(uid) ?? 0;
      // A letter over the limit costs the page what is read of it: at most the limit (its text parts).
      const cost = Math.min(size, imap.maxMessageBytes);
      if (batch.length && bytes + cost > 2 * imap.maxMessageBytes) break;
      bytes += cost;
      if (size > imap.maxMessageBytes) oversized.set(uid, size);
      batch.push(uid);
    }
    const wanted = batch.filter((uid) => !oversized.has(uid));
    const messages = wanted.length
      ? await client.fetchAll(
          wanted.join(','),
          { uid: true, source: true, internalDate: true },
          { uid: true },
        )
      : [];
    // A letter over the limit is read in part: its header and text parts, its files only named.
    const partial = new Map<number, PartialLetter>();
    for (const uid of oversized.keys()) {
      const read = await this.readInPart(client, uid, imap.maxMessageBytes, accountId);
      if (read) partial.set(uid, read);
    }
    return { batch, bytes, oversized, partial, messages, unreadable: new Map() };
  }

  /**
   * A page the server refused to give as a whole, read letter by letter: a letter it still refuses is set aside
   * with its words (quarantined, and the cursor passes it), the others are read as usual. Dovecot drops the
   * connection on such a letter: the reading goes on over a new one. A lost connection still fails the pull.
   */
  private async readOneByOne(
    imap: ImapSettings,
    accountId: string,
    uidValidity: number,
    listed: number[],
  ): Promise<ReadBatch> {
    const read: ReadBatch = {
      batch: [],
      bytes: 0,
      oversized: new Map(),
      partial: new Map(),
      messages: [],
      unreadable: new Map(),
    };
    let next = 0;
    let full = false;
    while (next < listed.length && !full) {
      const from = next;
      await this.withImap(imap, 'pull', async (client) => {
        const lock = await client.getMailboxLock(imap.mailbox, { readOnly: true });
        try {
          if (Number(client.mailbox ? client.mailbox.uidValidity : 0) !== uidValidity)
            throw new ConnectorError(
              ConnectorErrorCode.Temporary,
              'IMAP pull: the mailbox changed while read',
            );
          for (; next < listed.length && client.usable; next++) {
            const uid = listed[next];
            let one: ReadBatch;
            try {
              one = await this.readBatch(client, [uid], imap, accountId);
            } catch (error) {
              if (!refusedByServer(error)) throw error;
              const reason = refusalText(error);
              this.logger.warn('e-mail message refused by the server, quarantined unread', {
                accountId,
                uid,
                reason,
              });
              read.batch.push(uid);
              read.unreadable.set(uid, reason);
              continue;
            }
            if (read.batch.length && read.bytes + one.bytes > 2 * imap.maxMessageBytes) {
              full = true;
              return;
            }
            read.batch.push(...one.batch);
            read.bytes += one.bytes;
            read.messages.push(...one.messages);
            for (const [k, v] of one.oversized) read.oversized.set(k, v);
            for (const [k, v] of one.partial) read.partial.set(k, v);
          }
        } finally {
          lock.release();
        }
      });
      if (next === from && !full)
        throw new ConnectorError(ConnectorErrorCode.Temporary, 'IMAP pull: the connection closed at once');
    }
    return read;
  }

  /**
   * A letter over `maxMessageBytes`, read without downloading it: BODYSTRUCTURE, the header, and the text parts
   * (up to the limit in all; a longer text is cut). Undefined when the server will not say (the letter is then
   * quarantined unread, as before).
   */
  private async readInPart(
    client: ImapFlow,
    uid: number,
    maxBytes: number,
    accountId: string,
  ): Promise<PartialLetter | undefined> {
    try {
      const meta = await client.fetchOne(
        String(uid),
        { uid: true, bodyStructure: true, headers: true, internalDate: true },
        { uid: true },
      );
      if (!meta || !meta.headers || !meta.bodyStructure) return undefined;
      const plan = planOversized(meta.bodyStructure, maxBytes);
      const contents: { text: OversizedText; content: Buffer }[] = [];
      if (plan.texts.length) {
        const parts = await client.fetchOne(
          String(uid),
          {
            uid: true,
            bodyParts: plan.texts.map((t) =>
              t.maxLength !== undefined ? { key: t.part, start: 0, maxLength: t.maxLength } : t.part,
            ),
          },
          { uid: true },
        );
        for (const text of plan.texts) {
          const content = partOf(parts ? parts.bodyParts : undefined, text.part);
          if (content) contents.push({ text, content });
        }
      }
      const internalDate = meta.internalDate ? new Date(meta.internalDate) : undefined;
      return {
        source: oversizedSource(meta.headers, contents),
        files: plan.files,
        truncated: plan.truncated,
        internalDate: internalDate && !Number.isNaN(internalDate.getTime()) ? internalDate : undefined,
      };
    } catch (error) {
      this.logger.warn('e-mail message too large and its parts could not be read', {
        accountId,
        uid,
        reason: error instanceof Error ? error.message.slice(0, 200) : 'unknown',
      });
      return undefined;
    }
  }

  private async withImap<T>(
    settings: ImapSettings,
    action: string,
    work: (client: ImapFlow) => Promise<T>,
  ): Promise<T> {
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: { user: settings.user, pass: settings.password },
      // imapflow would log envelopes and addresses: personal data.
      logger: false,
      emitLogs: false,
      disableAutoIdle: true,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs * 4,
      // The server's name is resolved and checked when connecting (accountConnections), an IP literal before.
      tls: { rejectUnauthorized: settings.rejectUnauthorized, lookup: accountConnections.lookup },
    });
    // Errors after a command settled (a dropped socket) arrive as events; without a listener they crash.
    client.on('error', () => undefined);
    try {
      accountConnections.check(settings.host);
      await client.connect();
      return await work(client);
    } catch (error) {
      throw imapError(error, action);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** `letterWritten`: called once the whole letter, its ending dot included, has been handed to the socket. */
  private async transport(settings: SmtpSettings, letterWritten?: () => void) {
    // nodemailer resolves a name itself, past any lookup of ours: it is given the address checked now, and the
    // name for TLS (SNI and the certificate's check).
    let address: string;
    try {
      address = await accountConnections.address(settings.host);
    } catch (error) {
      throw smtpError(error);
    }
    return createTransport({
      host: address,
      ...(isIP(settings.host) ? {} : { servername: settings.host }),
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password } } : {}),
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs * 2,
      tls: { rejectUnauthorized: settings.rejectUnauthorized },
      // Attachments come as base64 only: never let message data point at a file or a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
      // Nothing is logged (the dialogue names addresses): the logger only hears that the letter went out.
      logger: letterWritten ? letterWrittenLogger(letterWritten) : false,
    });
  }
}

/**
 * A nodemailer logger that logs nothing and calls `written` when the connection reports the letter's data stream
 * ended (its `tnx: 'message'` entry with the byte counts): the whole letter is with the server from then on.
 */
function letterWrittenLogger(written: () => void): Logger {
  const quiet = () => undefined;
  return {
    level: quiet,
    trace: quiet,
    debug: quiet,
    warn: quiet,
    error: quiet,
    fatal: quiet,
    info: (entry?: { tnx?: string; outByteCount?: unknown }) => {
      if (entry?.tnx === 'message' && typeof entry.outByteCount === 'number') written();
    },
  };
}
