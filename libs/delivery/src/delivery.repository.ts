import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppealHistoryRepository } from '@inbox/appeals';
import { SqlRepository } from '@inbox/database';
import { type DeliveryReceipt, type OutboundMessage } from '@inbox/integrations/contract';
import { MESSAGE_CHANNEL_FROM } from './outbound-messages.repository';

/** An outbound message with what sending it needs: the appeal's reply address and the applicant's contacts. */
export interface MessageRow {
  id: string;
  appeal_id: string;
  answer_id: string | null;
  channel: string;
  /** The account that received the appeal's item: the answer leaves through it. */
  account_id: string | null;
  kind: OutboundMessage['kind'];
  text: string;
  subject: string | null;
  status: string;
  registration_number: string;
  external_id: string;
  registered_at: Date;
  /** The registering organisation's zone, kept on the appeal. */
  time_zone: string;
  reply_address: Record<string, unknown> | null;
  choices: OutboundMessage['choices'] | null;
  email: string | null;
  phone: string | null;
  display: string | null;
  /** Whether an earlier message of the same appeal and channel was on its way when the row was read. */
  earlier_pending: boolean;
  /** Send attempts claimed so far: none, and no receipt of an earlier one can be waiting (KeptReceipts). */
  attempts: number;
}

/**
 * Whether an earlier message than `m` (a row of outbound_messages) of the appeal and channel given is still on its
 * way: queued and meant to be sent by a connector. (created_at, id) is a strict order, so two messages can never
 * wait for each other; a failed message does not hold later ones back.
 */
function earlierPendingSql(appealId: string, channel: string): string {
  return `EXISTS (
         SELECT 1 FROM outbound_messages e
          WHERE e.appeal_id = ${appealId} AND e.channel = ${channel} AND e.id <> m.id AND e.status = 'queued'
            AND e.delivery_state IS DISTINCT FROM 'awaiting-handover'
            AND (e.created_at, e.id) < (m.created_at, m.id))`;
}

export interface BotReplyRow {
  id: string;
  channel: string;
  account_id: string | null;
  status: string;
  reply_address: Record<string, unknown>;
  text: string;
  choices: OutboundMessage['choices'] | null;
  attempts: number;
}

export type DeliveryRef = { outboundMessageId?: string; botReplyId?: string };

/**
 * One sender's hold on a message or bot reply for one attempt (see the SendClaims migration). `uncertain`: an
 * earlier claim ran out without a receipt — its sender died or hung mid-send, and the citizen may have it already.
 * `failed`: not queued any more (held for a person after an interrupted send, or failed until its next round).
 */
export type SendClaim =
  | { kind: 'claimed'; uncertain: boolean; parts: SentParts }
  | { kind: 'sent' }
  | { kind: 'failed' }
  | { kind: 'held'; retryAfterMs: number };

const SENDABLE = { message: 'outbound_messages', 'bot-reply': 'bot_replies' } as const;
export type Sendable = keyof typeof SENDABLE;

/** A person's retries of a row («Повторить»): only messages have them. */
const RETRIES: Record<Sendable, string> = { message: 't.manual_retries', 'bot-reply': '0' };

/** A run of a delivery: its row, the automatic round it is in and a person's retries of it (deliveryJobId). */
export interface DeliveryRun {
  id: string;
  round: number;
  retries: number;
}

/** The SET of a row's parts out, forgotten when `when` (a boolean parameter) holds: a retry sends it whole. */
const FORGET_PARTS = (when: string) =>
  ['parts_sent', 'parts_total', 'parts_digests']
    .map((c) => `${c} = CASE WHEN ${when} THEN NULL ELSE ${c} END`)
    .join(', ');

/** How a message failed, beyond its reason (DeliveryRepository.markMessageFailed). */
export interface FailureOptions {
  /** The claim of the attempt that failed: given back. */
  token?: string;
  /** Held for a person after an attempt of unknown outcome. */
  interrupted?: boolean;
  /** The connector, and the account, it went through. */
  channel?: string;
  accountId?: string;
  /** The parts out are forgotten: a retry sends the message whole. */
  forgetParts?: boolean;
}

/** The files of an answer sent as a personal link to them (a channel that carries none), and until when it works. */
export interface FilesAsLink {
  files: string[];
  until: string;
}

/**
 * The parts of a send in several messages that earlier attempts got out (their remote ids), of how many, and what each
 * was (PartsProgress.digests; none for parts recorded before digests were kept).
 */
export interface SentParts {
  ids: string[];
  total?: number;
  digests?: string[];
}

/**
 * What a `delivered` event says beyond the receipt, for the card: an answer's files that went as a link, and, for a
 * send resumed after a failure, how many of its parts had gone out before (none of them went again).
 */
export interface DeliveredNotes {
  filesAsLink?: FilesAsLink;
  resumed?: { sent: number; total: number };
}

/**
 * Delivery state of `outbound_messages` (answers and notices to applicants) and `bot_replies` (bot messages
 * outside any appeal): attempts, receipts, failures, and the `delivered` / `delivery-failed` history events.
 * A failure's event goes through the appeal's history (libs/appeals owns `appeal_events`); only the receipt's
 * `delivered` event is written here, in the one statement that records the receipt (see markMessageSent).
 */
@Injectable()
export class DeliveryRepository extends SqlRepository {
  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(AppealHistoryRepository) private readonly history: AppealHistoryRepository,
  ) {
    super(dataSource);
  }

  /** The channel a message or bot reply goes out in, and the account that received what it answers. */
  channelOf(ref: DeliveryRef): Promise<{ channel: string; accountId: string | null } | undefined> {
    return this.one<{ channel: string; accountId: string | null }>(
      ref.botReplyId
        ? `SELECT channel, account_id AS "accountId" FROM bot_replies WHERE id = $1`
        : `SELECT m.channel, i.account_id AS "accountId" FROM ${MESSAGE_CHANNEL_FROM} WHERE m.id = $1`,
      [ref.botReplyId ?? ref.outboundMessageId],
    );
  }

  message(id: string): Promise<MessageRow | undefined> {
    return this.one<MessageRow>(
      `SELECT m.id, m.appeal_id, m.answer_id, m.channel, i.account_id, m.kind, m.text, m.subject, m.status, a.registration_number,
              a.external_id, a.registered_at, a.time_zone, a.reply_address, m.choices, p.email, p.phone,
              COALESCE(NULLIF(concat_ws(' ', p.first_name, p.patronymic), ''), p.display_name) AS display,
              ${earlierPendingSql('m.appeal_id', 'm.channel')} AS earlier_pending, m.attempts
         FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id JOIN applicants p ON p.id = a.applicant_id
         LEFT JOIN inbound_items i ON i.id = a.inbound_item_id
        WHERE m.id = $1`,
      [id],
    );
  }

  /**
   * Whether an earlier message of the same appeal, in the same channel, is still on its way (queued and meant to be
   * sent by a connector): messages go out in the order they were made. `message()` reads it with the row
   * (`earlier_pending`); this asks again while a message waits.
   */
  async earlierMessagePending(m: { id: string; appeal_id: string; channel: string }): Promise<boolean> {
    const row = await this.one<{ pending: boolean }>(
      `SELECT ${earlierPendingSql('$2', '$3')} AS pending FROM outbound_messages m WHERE m.id = $1`,
      [m.id, m.appeal_id, m.channel],
    );
    return row?.pending === true;
  }

  /**
   * The files of every answer a message carries (one, or several in a combined answer), with their contents:
   * answer by answer in the message's order, each answer's in the order they were added.
   */
  answerFiles(messageId: string): Promise<{ fileName: string; contentType: string; content: Buffer }[]> {
    return this.rows(
      `SELECT f.file_name AS "fileName", f.content_type AS "contentType", c.content
         FROM outbound_message_answers x JOIN answer_attachments f ON f.answer_id = x.answer_id
         JOIN attachment_contents c ON c.sha256 = f.sha256
        WHERE x.outbound_message_id = $1 ORDER BY x.position, f.created_at, f.id`,
      [messageId],
    );
  }

  messageRef(id: string): Promise<{ id: string; appeal_id: string } | undefined> {
    return this.one(`SELECT id, appeal_id FROM outbound_messages WHERE id = $1`, [id]);
  }

  /**
   * Takes a queued message or bot reply for one attempt (counted), for `holdMs`, unless another sender's claim still
   * runs. One statement: two senders can never both hold it. Only a queued one: a failed row is sent again only once
   * a person or the sweep's next round has queued it again. A job of it run late (a stalled Bull job run twice, a
   * retry waiting out another attempt's claim) found it failed — held after an interrupted send, its claim given
   * back — and sent it a second time.
   */
  async claim(what: Sendable, id: string, token: string, holdMs: number): Promise<SendClaim> {
    const table = SENDABLE[what];
    const [taken] = await this.rows<{
      uncertain: boolean;
      ids: string[] | null;
      total: number | null;
      digests: string[] | null;
    }>(
      `UPDATE ${table} t SET send_claim = $2, send_claim_until = now() + make_interval(secs => $3::float8 / 1000),
              attempts = t.attempts + 1
         FROM (SELECT id, send_claim AS prior, send_claim_until AS prior_until FROM ${table} WHERE id = $1 FOR UPDATE) p
        WHERE t.id = p.id AND t.status = 'queued' AND (p.prior IS NULL OR p.prior_until <= now())
        RETURNING p.prior IS NOT NULL AS uncertain, t.parts_sent AS ids, t.parts_total AS total,
                  t.parts_digests AS digests`,
      [id, token, holdMs],
    );
    if (taken)
      return {
        kind: 'claimed',
        uncertain: taken.uncertain,
        parts: {
          ids: taken.ids ?? [],
          ...(taken.total !== null ? { total: taken.total } : {}),
          ...(taken.digests !== null ? { digests: taken.digests } : {}),
        },
      };
    const row = await this.one<{ status: string; held_ms: number | null }>(
      `SELECT status, ceil(extract(epoch FROM send_claim_until - now()) * 1000)::int AS held_ms FROM ${table}
        WHERE id = $1`,
      [id],
    );
    if (!row) throw new Error(`${table} ${id} does not exist`);
    if (row.status === 'sent') return { kind: 'sent' };
    if (row.status === 'failed') return { kind: 'failed' };
    // Ran out between the two statements: try again at once.
    return { kind: 'held', retryAfterMs: Math.max(row.held_ms ?? 0, 100) };
  }

  /**
   * The receipt and the `delivered` event in one statement, right as the channel answers: the shorter the time
   * between the channel's acceptance and this, the smaller the chance that a sender dying in it leaves a message
   * the citizen has but we do not know is sent. A second mark changes nothing.
   */
  async markMessageSent(
    m: { id: string; appeal_id: string; kind: string },
    receipt: DeliveryReceipt,
    connectorKind: string,
    accountId?: string,
    notes: DeliveredNotes = {},
  ): Promise<void> {
    await this.rows(
      `WITH sent AS (
         UPDATE outbound_messages SET status = 'sent', remote_id = $2, sent_at = $3, last_error = NULL,
                send_claim = NULL, send_claim_until = NULL
          WHERE id = $1 AND status <> 'sent' RETURNING appeal_id)
       INSERT INTO appeal_events (appeal_id, type, data) SELECT appeal_id, 'delivered', $4::jsonb FROM sent`,
      [
        m.id,
        receipt.remoteId ?? null,
        receipt.sentAt,
        JSON.stringify({
          outboundMessageId: m.id,
          kind: m.kind,
          channel: connectorKind,
          remoteId: receipt.remoteId ?? null,
          // The account it left through: a reply to it is named by that account (account-scope.ts).
          ...(accountId ? { accountId } : {}),
          // An answer's files to a channel that carries none went as a personal link: the card says so.
          ...(notes.filesAsLink ? { filesAsLink: notes.filesAsLink } : {}),
          // A send resumed after a failure: the parts out before were not sent again.
          ...(notes.resumed ? { resumed: notes.resumed } : {}),
        }),
      ],
    );
  }

  /**
   * A failed attempt of a message or bot reply: its error kept, its claim given back (only the claim it took, `token`).
   * `forgetParts`: the parts out are forgotten, and the next attempt sends it whole.
   */
  async recordError(
    what: Sendable,
    id: string,
    reason: string,
    token?: string,
    forgetParts = false,
  ): Promise<void> {
    await this.rows(
      `UPDATE ${SENDABLE[what]} SET last_error = $2,
              send_claim = CASE WHEN send_claim = $3 THEN NULL ELSE send_claim END,
              send_claim_until = CASE WHEN send_claim = $3 THEN NULL ELSE send_claim_until END,
              ${FORGET_PARTS('$4::boolean')}
        WHERE id = $1`,
      [id, reason, token ?? null, forgetParts],
    );
  }

  /**
   * Part `index` of a send in `total` went out as `remoteId`, its content's digest `digest`: on record before the next
   * part goes (PartsProgress), for a message or a bot reply alike. Only by the attempt holding the claim (`token`), and
   * only as the next part in order: false otherwise (the claim ran out and another sender took it), and the send stops
   * there. Parts recorded before digests were kept get none: the digests stay beside the ids or are not kept at all.
   */
  async recordPart(
    what: Sendable,
    id: string,
    token: string,
    part: { index: number; total: number; remoteId: string; digest: string },
  ): Promise<boolean> {
    const updated = await this.rows(
      `UPDATE ${SENDABLE[what]} SET parts_sent = coalesce(parts_sent, '{}') || $4::text, parts_total = $5,
              parts_digests = CASE WHEN coalesce(cardinality(parts_digests), 0) = $3
                                   THEN coalesce(parts_digests, '{}') || $6::text END
        WHERE id = $1 AND send_claim = $2 AND status = 'queued' AND coalesce(cardinality(parts_sent), 0) = $3
        RETURNING id`,
      [id, token, part.index, part.remoteId, part.total, part.digest],
    );
    return updated.length > 0;
  }

  /**
   * Failed, unless sent, with the `delivery-failed` event; false when nothing changed. `retry` (a temporary
   * failure): tried again by itself after `firstMs` doubled per round already made, unless `rounds` rounds have
   * been made. The claim is given back only when it is the caller's (`token`): another sender's claim, run out or
   * not, is the mark of an attempt whose outcome is unknown, and the next attempt must see it (DeliveryService).
   * `interrupted`: that next attempt found such a mark on a channel that can neither tell nor drop a repeat, and
   * holds the message for a person (no automatic round; «Недоставленные» offers resend or mark delivered).
   * The event names the connector that refused (`channel`, when the caller knows it) and whether a round is to come
   * (`retrying`): the card says in Russian what the refusal means for that channel (an e-mail address refused, a
   * bot blocked) and whether it is tried again by itself. A send in several messages that got some of its parts
   * out says how many (`partsSent`): a retry sends only the rest — unless they are forgotten (`forgetParts`: the rest
   * cannot follow them, and a retry sends the message whole). The parts out are named as a receipt names its
   * messages (`remoteId`, with the `accountId` they left through): replies to them join the appeal (thread keys).
   */
  markMessageFailed(
    m: { id: string; appeal_id: string },
    reason: string,
    retry?: { firstMs: number; rounds: number },
    options: FailureOptions = {},
  ): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const updated = await this.rows<{
        retrying: boolean;
        sent: number | null;
        total: number | null;
        out: string | null;
      }>(
        `UPDATE outbound_messages m SET status = 'failed', last_error = $2,
                send_claim = CASE WHEN send_claim = $5::uuid THEN NULL ELSE send_claim END,
                send_claim_until = CASE WHEN send_claim = $5::uuid THEN NULL ELSE send_claim_until END,
                send_interrupted_at = CASE WHEN $6::boolean THEN now() ELSE send_interrupted_at END,
                ${FORGET_PARTS('$7::boolean')},
                retry_at = CASE WHEN $3::float8 IS NOT NULL AND retry_rounds < $4::int
                                THEN now() + make_interval(secs => $3::float8 * 2 ^ retry_rounds / 1000) END
           FROM (SELECT id AS oid, parts_sent AS before FROM outbound_messages WHERE id = $1) o
          WHERE m.id = o.oid AND m.status <> 'sent'
          RETURNING m.retry_at IS NOT NULL AS retrying, cardinality(m.parts_sent) AS sent, m.parts_total AS total,
                    array_to_string(o.before, ',') AS out`,
        [
          m.id,
          reason,
          retry?.firstMs ?? null,
          retry?.rounds ?? 0,
          options.token ?? null,
          !!options.interrupted,
          !!options.forgetParts,
        ],
        tx,
      );
      if (updated.length === 0) return false;
      const [{ sent, total, out }] = updated;
      await this.history.append(tx, m.appeal_id, 'delivery-failed', null, {
        outboundMessageId: m.id,
        reason,
        ...(options.channel ? { channel: options.channel } : {}),
        ...(updated[0].retrying ? { retrying: true } : {}),
        ...(options.interrupted ? { interrupted: true } : {}),
        ...(sent && total ? { partsSent: { sent, total } } : {}),
        // The parts out, as a receipt names them: thread keys of the appeal as a delivered message's are.
        ...(out ? { remoteId: out } : {}),
        ...(out && options.accountId ? { accountId: options.accountId } : {}),
      });
      return true;
    });
  }

  botReply(id: string): Promise<BotReplyRow | undefined> {
    return this.one<BotReplyRow>(
      `SELECT id, channel, account_id, status, reply_address, text, choices, attempts FROM bot_replies WHERE id = $1`,
      [id],
    );
  }

  async markBotReplySent(id: string, receipt: DeliveryReceipt): Promise<void> {
    await this.rows(
      `UPDATE bot_replies SET status = 'sent', remote_id = $2, sent_at = $3, last_error = NULL, send_claim = NULL,
              send_claim_until = NULL
        WHERE id = $1 AND status <> 'sent'`,
      [id, receipt.remoteId ?? null, receipt.sentAt],
    );
  }

  /**
   * Failed, unless sent. `retry` (a temporary failure): queued again by the sweep after `firstMs` doubled per round
   * already made, unless `rounds` rounds have been made; a permanent failure (a blocked chat) stays failed.
   */
  async markBotReplyFailed(
    id: string,
    reason: string,
    retry?: { firstMs: number; rounds: number },
  ): Promise<void> {
    await this.rows(
      `UPDATE bot_replies SET status = 'failed', last_error = $2, send_claim = NULL, send_claim_until = NULL,
              retry_at = CASE WHEN $3::float8 IS NOT NULL AND retry_rounds < $4::int
                              THEN now() + make_interval(secs => $3::float8 * 2 ^ retry_rounds / 1000) END
        WHERE id = $1 AND status <> 'sent'`,
      [id, reason, retry?.firstMs ?? null, retry?.rounds ?? 0],
    );
  }

  /** Failed bot replies whose next round is due, back to queued (the round counted); their ids and round. */
  requeueDueBotReplies(limit = 500): Promise<DeliveryRun[]> {
    return this.requeueDue('bot-reply', limit);
  }

  /** Failed messages whose next round is due, back to queued (the round counted); their ids and round. */
  requeueDueRetries(limit = 500): Promise<DeliveryRun[]> {
    return this.requeueDue('message', limit);
  }

  private requeueDue(what: Sendable, limit: number): Promise<DeliveryRun[]> {
    const table = SENDABLE[what];
    return this.rows(
      `UPDATE ${table} t SET status = 'queued', retry_at = NULL, retry_rounds = t.retry_rounds + 1
         FROM (SELECT id FROM ${table} WHERE status = 'failed' AND retry_at <= now()
                ORDER BY retry_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE t.id = due.id
        RETURNING t.id, t.retry_rounds AS round, ${RETRIES[what]} AS retries`,
      [limit],
    );
  }

  /**
   * Messages and bot replies still queued `olderThanMs` after they were made: their job may be lost (Redis refused
   * or lost it). `round` and `retries`: the automatic round it is in and a person's retries of it (its job id).
   */
  stranded(olderThanMs = 60_000): Promise<(DeliveryRun & { what: Sendable })[]> {
    // One made more than a minute in the database's future: its clock was stepped back since; taken as old.
    const old = `(created_at < now() - $1 * interval '1 millisecond' OR created_at > now() + interval '1 minute')`;
    return this.rows(
      `(SELECT id, 'message' AS what, retry_rounds AS round, manual_retries AS retries FROM outbound_messages
         WHERE status = 'queued' AND delivery_state IS DISTINCT FROM 'awaiting-handover' AND ${old}
         ORDER BY created_at LIMIT 1000)
       UNION ALL
       (SELECT id, 'bot-reply', retry_rounds, 0 FROM bot_replies
         WHERE status = 'queued' AND ${old} ORDER BY created_at LIMIT 1000)`,
      [olderThanMs],
    );
  }
}
