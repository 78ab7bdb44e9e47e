import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { answerFileLinksTextRu, PublicAnswerLinks, ratingLinksTextRu } from '@inbox/appeals';
import { ACCOUNT_REMOVED_REASON, type ChannelEntry, ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  channelCarriesFiles,
  ConnectorError,
  type DeliveryReceipt,
  dropsRepeatedSends,
  looksUpSends,
  type PartsProgress,
} from '@inbox/integrations/contract';
import { isRateLimitedChannel } from '@inbox/queue';
import { ChatBusyError, ChatPacer } from './chat-pacer';
import { sendingThrough } from './message-deliveries.service';
import {
  DeliveryRepository,
  type DeliveryRef,
  type DeliveryRun,
  type FailureOptions,
  type FilesAsLink,
  type MessageRow,
  type Sendable,
  type SentParts,
} from './delivery.repository';
import { type KeptReceipt, KeptReceipts } from './kept-receipts';

/** How long a message waits in its job for an earlier one of the same appeal, and how often it looks. */
const EARLIER_FIRST_WAIT_MS = 10_000;
const EARLIER_FIRST_POLL_MS = 200;
/** The least wait between attempts for a message whose account is disabled (the queue's back-off grows). */
const ACCOUNT_WAIT_MS = 5000;

/**
 * `held`: an interrupted attempt's message kept for a person to decide (INTERRUPTED_REASON). `already-failed`: a job
 * run late for a message failed meanwhile (held, or waiting for its next round): nothing is sent.
 */
export type DeliveryOutcome = 'sent' | 'already-sent' | 'already-failed' | 'failed-permanently' | 'held';

/**
 * Why a message waits in «Недоставленные» after an attempt that stopped between the channel's call and our receipt
 * (a worker killed mid-send, a channel that did not answer in time), on a channel that can neither tell whether it
 * has the message nor drop a repeat (Telegram, OK, e-mail: dropsRepeatedSends). Not sent again blindly, whatever the
 * message: an answer twice is an official letter the citizen must tell from a new one, a notice twice reads as a
 * fault of ours; and not dropped either — a lost answer breaks 59-ФЗ. A person decides: the held row keeps the
 * message whole, visible on the appeal and in the queue, and one action resends it or marks it delivered. Workers
 * die mid-send rarely (a crash, a kill -9) and Telegram seldom takes longer than its timeout, so this costs a clerk a
 * click now and then. Bot replies alone are sent again (deliverBotReply). A channel that can be asked whether it has
 * the message (LooksUpSends: e-mail's Sent folder) is asked first, and only its "cannot tell" is held
 * (DeliveryService.settleUncertain).
 */
export const INTERRUPTED_REASON =
  'Доставка прервана: возможно, сообщение уже отправлено — проверьте и повторите или отметьте доставленным';

/**
 * Why a message is held after an interrupted attempt at a send in several messages that had got `sent` of its `total`
 * parts out (on record: PartsProgress) when the next one's fate became unknown: what the citizen surely has, which part
 * may or may not have reached them, and what each action does. «Повторить» resumes at that part; the parts before it
 * never go again.
 */
export function interruptedPartsReason(sent: number, total: number): string {
  const next = sent + 1;
  const out = sent === 1 ? `ушла часть 1 из ${total}` : `ушли части 1–${sent} из ${total}`;
  return (
    `Доставка прервана: гражданину ${out}, а ${next}-я могла дойти или нет — канал не ответил. ` +
    `«Повторить» отправит только неотправленное, начиная с ${next}-й части (ушедшие части не повторятся); ` +
    '«Отметить доставленным» — если гражданин получил сообщение целиком'
  );
}

/**
 * Why a send in several messages is held when its rest cannot follow the `sent` of `total` parts out: the message no
 * longer splits as they did — another count of parts (the personal link to an answer's files, made anew for each
 * attempt, came out longer), or a part out that now reads otherwise (firstUnsentPart compares their digests).
 * The parts out are forgotten: «Повторить» sends the message whole.
 */
export function partsChangedReason(sent: number, total: number): string {
  const out = sent === 1 ? `ушла часть 1 из ${total}` : `ушли части 1–${sent} из ${total}`;
  return (
    `Доставка прервана: гражданину ${out}, а остальное дослать нельзя — сообщение с тех пор изменилось или ` +
    'разбивается на части иначе. «Повторить» отправит сообщение целиком (ушедшие части придут ещё раз); «Отметить доставленным» — если ' +
    'остальное передано гражданину иначе'
  );
}

/** A failure worth retrying; the queue backs off and tries again. */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

/**
 * Sends one outbound message through the channel the appeal came from. Idempotent: a sent message is not
 * sent again, and the message id is the connector's idempotency key (VK random_id); the receipt (remote id,
 * time) is stored. Each attempt first claims the message (DeliveryRepository.claim), so two jobs for one message
 * never send it side by side; only a sender that died between the channel's acceptance and the receipt leaves a
 * message whose outcome is unknown, and it goes out again only through a channel that drops a repeat; elsewhere it is
 * held for a person (INTERRUPTED_REASON). A permanent failure is recorded on the appeal, never dropped; a temporary one goes back to
 * the queue with the channel's retry-after. Messenger chats are paced (one message per second in Telegram).
 */
@Injectable()
export class DeliveryService {
  private readonly log = rootLogger.child('delivery');

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly channels: ChannelRegistry,
    private readonly pacer: ChatPacer,
    private readonly config: AppConfig,
    private readonly answerLinks: PublicAnswerLinks,
    private readonly keptReceipts: KeptReceipts,
  ) {}

  /**
   * The connector kind and account a message or bot reply goes out through; undefined when that channel or
   * account is off (sent from the common queue then, where it fails or waits with the reason).
   */
  async sendsThrough(ref: DeliveryRef): Promise<{ kind: string; accountId: string } | undefined> {
    return sendingThrough(this.channels, await this.deliveries.channelOf(ref));
  }

  /** Messages and bot replies whose job may be lost (still queued `olderThanMs` after made), for the worker's sweep. */
  stranded(olderThanMs: number): Promise<(DeliveryRun & { what: Sendable })[]> {
    return this.deliveries.stranded(olderThanMs);
  }

  async deliver(outboundMessageId: string): Promise<DeliveryOutcome> {
    const m = await this.deliveries.message(outboundMessageId);
    if (!m) throw new Error(`outbound message ${outboundMessageId} does not exist`);
    if (m.status === 'sent') return 'already-sent';
    if (m.status === 'failed') return 'already-failed';
    const markSent = (k: KeptReceipt) =>
      this.deliveries.markMessageSent(m, k.receipt, k.connectorKind ?? m.channel, k.accountId, k.notes);
    if (await this.storeKeptReceipt('message', m, markSent)) return 'sent';

    // Through the account the citizen wrote to (a department's mailbox, a municipality's community).
    const entry = await this.channels.deliveryAccount(m.channel, m.account_id);
    if (!entry) {
      const removed = await this.waitForAccount('message', m.id, m.account_id);
      await this.fail(m, removed ?? `канал доставки для «${m.channel}» не настроен`);
      return 'failed-permanently';
    }
    // Our own form and letters keep no reply address: answer to the applicant's e-mail.
    const replyAddress =
      m.reply_address ?? (m.email ? { to: m.email, toName: m.display ?? undefined } : undefined);
    if (!replyAddress && !m.email) {
      await this.fail(m, 'у заявителя нет адреса для ответа в этом канале');
      return 'failed-permanently';
    }
    // The citizen reads an appeal's messages in the order they were made (a paced or retried notice must not
    // arrive after the answer that followed it).
    await this.waitForEarlierMessages(m);
    // An answer goes with its files (a combined answer with every answer's), in every channel that can carry them;
    // to one that cannot (OK), as a personal link to them under its text (fileLinks), and the connector is given
    // none to refuse.
    const files =
      m.kind === 'answer' && channelCarriesFiles(m.channel) ? await this.deliveries.answerFiles(m.id) : [];
    await this.pace(entry, replyAddress);
    // Everything the send needs is read and written before the claim: after it, nothing but the channel's call
    // stands between the "attempt started" mark and the receipt.
    const links = await this.fileLinks(m);
    const text = m.text + links.text + (await this.ratingRequest(m, entry));
    const claim = await this.claim('message', m.id);
    if (typeof claim === 'string') return claim;
    const { token, parts } = claim;
    if (claim.uncertain && !dropsRepeatedSends(entry.connector)) {
      const settled = await this.settleUncertain(m, entry, token, parts, markSent);
      if (settled) return settled;
    }
    // A send in several messages: the parts out before are skipped, each part is on record before the next goes.
    const progress = this.partsProgress('message', m.id, token, parts);
    try {
      const receipt = await entry.connector.send(
        entry.account,
        {
          id: m.id,
          kind: m.kind,
          text,
          // Notices carry their buttons (rating questions, consent); the connector renders them its own way.
          choices: m.choices ?? undefined,
          subject: m.subject ?? undefined,
          attachments: files.length
            ? files.map((f) => ({
                fileName: f.fileName,
                contentType: f.contentType,
                contentBase64: f.content.toString('base64'),
              }))
            : undefined,
          replyAddress: replyAddress as Record<string, unknown> | undefined,
          recipient: {
            email: m.email ?? undefined,
            phone: m.phone ?? undefined,
            name: m.display ?? undefined,
          },
          references: {
            registrationNumber: m.registration_number,
            externalId: m.external_id,
            registeredAt: new Date(m.registered_at).toISOString(),
            timeZone: m.time_zone,
          },
        },
        progress,
      );
      const resumed =
        parts.ids.length > 0
          ? { sent: parts.ids.length, total: progress.totalSeen ?? parts.ids.length }
          : undefined;
      await this.recordSent(
        'message',
        m.id,
        {
          receipt,
          connectorKind: entry.kind,
          accountId: entry.account.id,
          notes: { filesAsLink: links.filesAsLink, resumed },
        },
        markSent,
      );
      this.log.info('delivered', {
        outboundMessageId: m.id,
        kind: entry.kind,
        accountId: entry.account.id,
        ...(resumed ? { resumedAfterParts: resumed.sent } : {}),
      });
      return 'sent';
    } catch (error) {
      if (error instanceof ReceiptNotStored || error instanceof PartNotRecorded) throw error;
      // No answer in time (or the connection cut after the request went): as after a sender that died mid-send,
      // the channel may have the message, and only one that drops a repeat is sent it again.
      if (
        error instanceof ConnectorError &&
        error.details.outcomeUnknown &&
        !dropsRepeatedSends(entry.connector)
      ) {
        if (looksUpSends(entry.connector)) {
          // The channel can be asked, but not at once (a provider files an accepted letter in Sent a moment
          // later): the claim is kept, so the attempt after it runs out finds it uncertain and asks
          // (settleUncertain).
          const reason = `связь с каналом прервалась после отправки; проверяется, дошло ли сообщение (${error.message})`;
          await this.deliveries.recordError('message', m.id, reason);
          throw new RetryableDeliveryError(reason, this.claimMs());
        }
        await this.fail(m, heldReason(progress.recorded), { token, interrupted: true, ...from(entry) });
        return 'held';
      }
      if (error instanceof ConnectorError && error.details.partsChanged && parts.total) {
        // The rest cannot follow the parts out: a person decides, and «Повторить» sends the message whole.
        await this.fail(m, partsChangedReason(parts.ids.length, parts.total), {
          token,
          interrupted: true,
          forgetParts: true,
          ...from(entry),
        });
        return 'held';
      }
      if (error instanceof ConnectorError && !error.retryable) {
        // The connector named: the card says what its refusal means there (a mailbox refused, a bot blocked).
        await this.fail(m, `${error.code}: ${error.message}`, { token, ...from(entry) });
        return 'failed-permanently';
      }
      const retry = retryable(error);
      await this.deliveries.recordError('message', m.id, retry.message, token);
      throw retry;
    }
  }

  /**
   * An earlier attempt at `m` stopped between its claim and its receipt (a sender killed, a channel that did not
   * answer), on a channel that cannot drop a repeat. Where the channel can say whether it has the message
   * (LooksUpSends: e-mail's Sent folder) it is asked: found, the message is stored as sent with what the channel
   * returned, and nothing is sent; surely absent (the attempt never reached it, or it refused), undefined, and
   * the message goes out now; undecided, or a channel that cannot be asked, the message is held for a person
   * (INTERRUPTED_REASON), as before. A lookup that fails for now keeps this attempt's claim, which runs out into the
   * same uncertainty: the next attempt asks again, and nothing is sent blindly meanwhile. A send in several messages
   * (`parts`) stopped after the parts on record: only the next part's fate is unknown, and the reason says so
   * (interruptedPartsReason); «Повторить» resumes there.
   */
  private async settleUncertain(
    m: MessageRow,
    entry: ChannelEntry,
    token: string,
    parts: SentParts,
    markSent: (k: KeptReceipt) => Promise<void>,
  ): Promise<'sent' | 'held' | undefined> {
    const connector = entry.connector;
    if (!looksUpSends(connector)) {
      await this.fail(m, heldReason(parts), { token, interrupted: true, ...from(entry) });
      return 'held';
    }
    let found;
    try {
      found = await connector.lookUpSent(entry.account, { id: m.id });
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        this.log.warn('cannot ask the channel whether it has the message', {
          outboundMessageId: m.id,
          reason: error,
        });
        await this.fail(m, INTERRUPTED_REASON, { token, interrupted: true });
        return 'held';
      }
      const reason = `не удалось проверить, отправлено ли сообщение: ${error instanceof Error ? error.message : String(error)}`;
      await this.deliveries.recordError('message', m.id, reason);
      throw new RetryableDeliveryError(reason, this.claimMs());
    }
    if (found.kind === 'sent') {
      await this.recordSent(
        'message',
        m.id,
        { receipt: found.receipt, connectorKind: entry.kind, accountId: entry.account.id },
        markSent,
      );
      this.log.info('an interrupted send was found on the channel: stored as sent, not sent again', {
        outboundMessageId: m.id,
        kind: entry.kind,
      });
      return 'sent';
    }
    if (found.kind === 'not-sent') {
      this.log.info('an interrupted send never reached the channel: sending it now', {
        outboundMessageId: m.id,
        kind: entry.kind,
      });
      return undefined;
    }
    this.log.warn('the channel cannot tell whether it has the message: held', {
      outboundMessageId: m.id,
      kind: entry.kind,
      why: found.why,
    });
    await this.fail(m, INTERRUPTED_REASON, { token, interrupted: true });
    return 'held';
  }

  /**
   * Where this attempt's send in several messages (a message's or a bot reply's) stands, for the connector (PartsProgress): the parts earlier
   * attempts got out, and each part this attempt gets out put on record before the next goes — but the last, whose
   * receipt follows at once. A database away is waited for as a receipt is (recordSent); past that, or when this
   * attempt's claim was taken over meanwhile, the send stops (PartNotRecorded) rather than send a part the record
   * would not know of.
   */
  private partsProgress(
    what: Sendable,
    id: string,
    token: string,
    before: SentParts,
  ): PartsProgress & { recorded: SentParts; totalSeen?: number } {
    const recorded: SentParts = { ids: [...before.ids], ...(before.total ? { total: before.total } : {}) };
    const progress = {
      sent: before.ids,
      total: before.total,
      digests: before.digests,
      recorded,
      totalSeen: before.total,
      partSent: async (index: number, total: number, remoteId: string, digest: string) => {
        progress.totalSeen = total;
        if (index >= total - 1) return;
        const deadline = Date.now() + this.config.queueLockMs;
        for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
          let stored: boolean;
          try {
            stored = await this.deliveries.recordPart(what, id, token, { index, total, remoteId, digest });
          } catch (error) {
            if (Date.now() + wait > deadline)
              throw new PartNotRecorded(error instanceof Error ? error.message : String(error));
            await new Promise((r) => setTimeout(r, wait));
            continue;
          }
          if (!stored) throw new PartNotRecorded('another sender holds the message now');
          recorded.ids.push(remoteId);
          recorded.total = total;
          return;
        }
      },
    };
    return progress;
  }

  /** How long one attempt's claim on a send runs: its send and the wait for its receipt (recordSent) fit in it. */
  private claimMs(): number {
    return 2 * this.config.queueLockMs;
  }

  /**
   * An answer that goes by e-mail asks for its rating with a personal link per answer it brings (messengers ask
   * with their own buttons after the delivery, ПОС and МЭДО rate in their own systems). Minted for this attempt
   * only, never stored in the message's text: only the links' hashes are kept.
   */
  private async ratingRequest(m: MessageRow, entry: ChannelEntry): Promise<string> {
    if (m.kind !== 'answer' || entry.kind !== 'email') return '';
    const links = await this.answerLinks.mint({ id: m.id, appealId: m.appeal_id });
    return ratingLinksTextRu(links, m.time_zone);
  }

  /**
   * An answer with files to a channel that carries none (OK): a personal link per answer with files to a page that
   * serves that answer's files (PublicAnswerLinks, 'files'), minted for this attempt only like the rating links, and what
   * the card's history says went as a link.
   */
  private async fileLinks(m: MessageRow): Promise<{ text: string; filesAsLink?: FilesAsLink }> {
    if (m.kind !== 'answer' || channelCarriesFiles(m.channel)) return { text: '' };
    const links = await this.answerLinks.mint({ id: m.id, appealId: m.appeal_id }, 'files');
    if (!links.length) return { text: '' };
    return {
      text: answerFileLinksTextRu(links, m.time_zone),
      filesAsLink: {
        files: links.flatMap((l) => l.fileNames ?? []),
        until: links[0].expiresAt.toISOString(),
      },
    };
  }

  /**
   * The citizen has the message: its receipt must be stored, or a retry would send it again. A database that is
   * restarting is waited for (for up to a job lock's time) rather than the job failed at once; from its first
   * failure the receipt is kept in Redis too, so an attempt after a longer outage stores it instead of sending
   * again (storeKeptReceipt). Kept at once, well before this attempt's claim runs out and another sender may
   * take the message.
   */
  private async recordSent(
    what: Sendable,
    id: string,
    kept: KeptReceipt,
    store: (kept: KeptReceipt) => Promise<void>,
  ): Promise<void> {
    const deadline = Date.now() + this.config.queueLockMs;
    let inRedis = false;
    for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
      try {
        await store(kept);
        if (inRedis) await this.keptReceipts.drop(what, id);
        return;
      } catch (error) {
        inRedis ||= await this.keptReceipts.keep(what, id, kept);
        if (Date.now() + wait > deadline) {
          this.log.error(
            inRedis
              ? 'sent, but the receipt could not be stored yet: kept in Redis, the retry stores it without sending again'
              : 'sent, but the receipt could not be stored: a retry will send it again',
            { [what === 'message' ? 'outboundMessageId' : 'botReplyId']: id, reason: error },
          );
          throw new ReceiptNotStored(error instanceof Error ? error.message : String(error));
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * An earlier attempt's send went out but its receipt was kept in Redis (recordSent): stored now, and nothing is
   * sent. A row no attempt has claimed yet cannot have one, so the usual first attempt asks Redis nothing.
   */
  private async storeKeptReceipt(
    what: Sendable,
    row: { id: string; attempts: number },
    store: (kept: KeptReceipt) => Promise<void>,
  ): Promise<boolean> {
    if (row.attempts === 0) return false;
    const kept = await this.keptReceipts.find(what, row.id);
    if (!kept) return false;
    await this.recordSent(what, row.id, kept, store);
    await this.keptReceipts.drop(what, row.id);
    this.log.info("an earlier attempt's receipt stored; not sent again", {
      [what === 'message' ? 'outboundMessageId' : 'botReplyId']: row.id,
    });
    return true;
  }

  /** A bot reply outside any appeal (greeting, help, consent request): the same path, kept in bot_replies. */
  async deliverBotReply(botReplyId: string): Promise<DeliveryOutcome> {
    const r = await this.deliveries.botReply(botReplyId);
    if (!r) throw new Error(`bot reply ${botReplyId} does not exist`);
    if (r.status === 'sent') return 'already-sent';
    if (r.status === 'failed') return 'failed-permanently';
    const markSent = (k: KeptReceipt) => this.deliveries.markBotReplySent(r.id, k.receipt);
    if (await this.storeKeptReceipt('bot-reply', r, markSent)) return 'sent';
    const entry = await this.channels.deliveryAccount(r.channel, r.account_id);
    if (!entry) {
      const removed = await this.waitForAccount('bot-reply', r.id, r.account_id);
      await this.failBotReply(r.id, removed ?? `канал «${r.channel}» не настроен`);
      return 'failed-permanently';
    }
    await this.pace(entry, r.reply_address);
    // A bot reply is sent again after an interrupted attempt: it answers what the citizen has just written, no
    // clerk sees it to decide, and a greeting or consent request twice costs less than none (see INTERRUPTED_REASON).
    // Sent in several messages, it resumes after the parts on record as a message does: only the part in doubt again.
    const claim = await this.claim('bot-reply', r.id);
    if (typeof claim === 'string') return claim;
    const { token, parts } = claim;
    const progress = this.partsProgress('bot-reply', r.id, token, parts);
    let receipt: DeliveryReceipt;
    try {
      receipt = await entry.connector.send(
        entry.account,
        {
          id: r.id,
          kind: 'bot-reply',
          text: r.text,
          choices: r.choices ?? undefined,
          replyAddress: r.reply_address,
        },
        progress,
      );
    } catch (error) {
      if (error instanceof ReceiptNotStored || error instanceof PartNotRecorded) throw error;
      if (error instanceof ConnectorError && error.details.partsChanged) {
        // The reply's text is kept as it was: only a new way of splitting it (a deploy) gets here. Nobody holds a
        // bot reply, so it goes again whole, the parts out a second time, rather than not at all.
        const reason = `${error.code}: ${error.message}`;
        await this.deliveries.recordError('bot-reply', r.id, reason, token, true);
        throw new RetryableDeliveryError(reason);
      }
      if (error instanceof ConnectorError && !error.retryable) {
        await this.failBotReply(r.id, `${error.code}: ${error.message}`);
        return 'failed-permanently';
      }
      const retry = retryable(error);
      await this.deliveries.recordError('bot-reply', r.id, retry.message, token);
      throw retry;
    }
    await this.recordSent('bot-reply', r.id, { receipt }, markSent);
    this.log.info('bot reply delivered', {
      botReplyId: r.id,
      kind: entry.kind,
      ...(parts.ids.length > 0 ? { resumedAfterParts: parts.ids.length } : {}),
    });
    return 'sent';
  }

  /**
   * A bot reply failed: for good on a permanent error (a blocked chat); after every retry spent on a temporary one
   * (`temporary`), failed for now and queued again by the sweep after DELIVERY_RETRY_FAILED_MS, doubling,
   * DELIVERY_RETRY_ROUNDS times, as a citizen's message is: a consent request is not dropped for an outage.
   */
  async failBotReply(
    botReplyId: string,
    reason: string,
    options: { temporary?: boolean } = {},
  ): Promise<void> {
    const retry = options.temporary
      ? { firstMs: this.config.deliveryRetryFailedMs, rounds: this.config.deliveryRetryRounds }
      : undefined;
    await this.deliveries.markBotReplyFailed(botReplyId, reason.slice(0, 1000), retry);
    this.log.warn('bot reply failed', { botReplyId, reason, temporary: !!options.temporary });
  }

  /** Failed bot replies whose next round is due, queued again: the worker's sweep enqueues them. */
  requeueDueBotReplies(): Promise<DeliveryRun[]> {
    return this.deliveries.requeueDueBotReplies();
  }

  /**
   * This attempt's hold on the message (its token), or why there is none: sent already, or failed since this job
   * read it (only a queued message is claimed: DeliveryRepository.claim); `uncertain` when an earlier attempt
   * started (claimed) and never ended: its sender stopped mid-send, and the citizen may have the message.
   * Held by another sender right now: retried once that claim runs out. A claim is twice a job lock's time: the send
   * and the wait for its receipt (recordSent) fit in it, and a dead sender's message waits no longer than that.
   */
  private async claim(
    what: Sendable,
    id: string,
  ): Promise<{ token: string; uncertain: boolean; parts: SentParts } | 'already-sent' | 'already-failed'> {
    const token = randomUUID();
    const claim = await this.deliveries.claim(what, id, token, this.claimMs());
    if (claim.kind === 'sent') return 'already-sent';
    if (claim.kind === 'failed') return 'already-failed';
    if (claim.kind === 'held')
      throw new RetryableDeliveryError('сообщение сейчас отправляет другой обработчик', claim.retryAfterMs);
    if (claim.uncertain)
      this.log.warn('an earlier attempt stopped mid-send: its outcome is unknown', {
        [what === 'message' ? 'outboundMessageId' : 'botReplyId']: id,
      });
    return { token, uncertain: claim.uncertain, parts: claim.parts };
  }

  /**
   * Waits here, briefly, while an earlier message of the same appeal and channel is still on its way; longer than
   * that, the job is retried (the queue's back-off grows, so a short in-process wait keeps the usual case fast).
   */
  private async waitForEarlierMessages(m: MessageRow): Promise<void> {
    const deadline = Date.now() + EARLIER_FIRST_WAIT_MS;
    // The first look came with the row (the usual case: nothing earlier pending, no statement of its own).
    for (let pending = m.earlier_pending; pending; pending = await this.deliveries.earlierMessagePending(m)) {
      if (Date.now() >= deadline) {
        throw new RetryableDeliveryError('ещё не доставлено предыдущее сообщение по этому обращению', 1000);
      }
      await new Promise((resolve) => setTimeout(resolve, EARLIER_FIRST_POLL_MS));
    }
  }

  /**
   * The account the citizen wrote to is disabled or cannot work: the message waits for it, never leaving through
   * another account. It is retried (the reason on its row), then failed for now and shown with the reason, and
   * queued again by the rounds of DELIVERY_RETRY_FAILED_MS; once the account works again it goes out through it.
   * A deleted account is not waited for: the reason is returned, and the message fails with it, visibly, rather
   * than leave through the channel's default account as another community's, bot's or ПОС organisation's.
   */
  private async waitForAccount(
    what: Sendable,
    id: string,
    accountId: string | null,
  ): Promise<string | undefined> {
    if (this.channels.removed(accountId)) {
      return `учётная запись канала, через которую пришло обращение, не работает: ${ACCOUNT_REMOVED_REASON}`;
    }
    const idle = this.channels.notWorking(accountId);
    if (!idle) return undefined;
    const reason = `учётная запись канала, через которую пришло обращение, не работает: ${idle}`;
    await this.deliveries.recordError(what, id, reason);
    throw new RetryableDeliveryError(reason, ACCOUNT_WAIT_MS);
  }

  /** One message per chat per interval where the channel asks for it (Telegram), whichever worker sends. */
  private async pace(entry: ChannelEntry, replyAddress: Record<string, unknown> | undefined): Promise<void> {
    const chat = replyAddress?.chatId ?? replyAddress?.peerId;
    if (!isRateLimitedChannel(entry.kind) || (typeof chat !== 'string' && typeof chat !== 'number')) return;
    try {
      await this.pacer.acquire(entry.kind, String(chat));
    } catch (error) {
      if (error instanceof ChatBusyError) throw new RetryableDeliveryError(error.message, error.retryAfterMs);
      throw error;
    }
  }

  /**
   * After the last retry, or at once for a permanent error: visible on the appeal. A temporary failure (every
   * retry spent on a channel that is down) comes back by itself, DELIVERY_RETRY_ROUNDS times at most.
   */
  async fail(
    m: { id: string; appeal_id: string } | string,
    reason: string,
    options: FailureOptions & { temporary?: boolean } = {},
  ): Promise<void> {
    const row = typeof m === 'string' ? await this.deliveries.messageRef(m) : m;
    if (!row) return;
    const retry = options.temporary
      ? { firstMs: this.config.deliveryRetryFailedMs, rounds: this.config.deliveryRetryRounds }
      : undefined;
    await this.deliveries.markMessageFailed(row, reason, retry, options);
    // The channel's own words (an HTTP status, an SMTP reply) are for this line, masked (the logger's redaction);
    // the card says in Russian what they mean (delivery-errors.ts deliveryFailureText).
    this.log.warn('delivery failed', {
      outboundMessageId: row.id,
      channel: options.channel,
      reason,
      temporary: !!options.temporary,
      interrupted: !!options.interrupted,
    });
  }

  /** Temporarily failed messages whose next round is due, queued again: the worker's sweep enqueues them. */
  requeueDueRetries(): Promise<DeliveryRun[]> {
    return this.deliveries.requeueDueRetries();
  }
}

/** Sent, but not recorded as sent (the database stayed away): the job fails and is retried like any other. */
class ReceiptNotStored extends Error {}

/**
 * A part of a send in several went out and could not be put on record (the database stayed away, or another sender
 * took the message over): nothing more is sent, the claim is kept, and the attempt after it finds the send
 * interrupted after the parts on record (interruptedPartsReason).
 */
class PartNotRecorded extends Error {}

/** The connector and account a send went through, for its `delivery-failed` event. */
function from(entry: ChannelEntry): { channel: string; accountId: string } {
  return { channel: entry.kind, accountId: entry.account.id };
}

/** Why an interrupted send is held: the parts that surely went out, when it went in several (interruptedPartsReason). */
function heldReason(parts: SentParts): string {
  return parts.ids.length > 0 && parts.total
    ? interruptedPartsReason(parts.ids.length, parts.total)
    : INTERRUPTED_REASON;
}

/**
 * A temporary failure for the queue to retry. A connector's keeps its code before the channel's words (`Temporary:
 * VK error 10 …`), as a permanent one is stored: what the last retry leaves on «Недоставленные» is then said in
 * Russian by its code, the channel's words beneath (it read «после 8 попыток: VK error 10 …», in English).
 */
function retryable(error: unknown): RetryableDeliveryError {
  const message = error instanceof Error ? error.message : String(error);
  return new RetryableDeliveryError(
    error instanceof ConnectorError ? `${error.code}: ${message}` : message,
    error instanceof ConnectorError ? error.details.retryAfterMs : undefined,
  );
}
