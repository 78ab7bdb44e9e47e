import { Injectable } from '@nestjs/common';
import { SqlRepository } from '@inbox/database';
import { type DeliveryReceipt, type OutboundMessage } from '@inbox/integrations/contract';

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
}

export interface BotReplyRow {
  id: string;
  channel: string;
  account_id: string | null;
  status: string;
  reply_address: Record<string, unknown>;
  text: string;
  choices: OutboundMessage['choices'] | null;
}

export type DeliveryRef = { outboundMessageId?: string; botReplyId?: string };

/**
 * Delivery state of `outbound_messages` (answers and notices to applicants) and `bot_replies` (bot messages
 * outside any appeal): attempts, receipts, failures, and the `delivered` / `delivery-failed` history events.
 */
@Injectable()
export class DeliveryRepository extends SqlRepository {
  /** The channel a message or bot reply goes out in, and the account that received what it answers. */
  channelOf(ref: DeliveryRef): Promise<{ channel: string; accountId: string | null } | undefined> {
    return this.one<{ channel: string; accountId: string | null }>(
      ref.botReplyId
        ? `SELECT channel, account_id AS "accountId" FROM bot_replies WHERE id = $1`
        : `SELECT m.channel, i.account_id AS "accountId"
             FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id
             LEFT JOIN inbound_items i ON i.id = a.inbound_item_id WHERE m.id = $1`,
      [ref.botReplyId ?? ref.outboundMessageId],
    );
  }

  message(id: string): Promise<MessageRow | undefined> {
    return this.one<MessageRow>(
      `SELECT m.id, m.appeal_id, m.answer_id, m.channel, i.account_id, m.kind, m.text, m.subject, m.status, a.registration_number,
              a.external_id, a.registered_at, a.time_zone, a.reply_address, m.choices, p.email, p.phone,
              COALESCE(NULLIF(concat_ws(' ', p.first_name, p.patronymic), ''), p.display_name) AS display
         FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id JOIN applicants p ON p.id = a.applicant_id
         LEFT JOIN inbound_items i ON i.id = a.inbound_item_id
        WHERE m.id = $1`,
      [id],
    );
  }

  /**
   * Whether an earlier message of the same appeal, in the same channel, is still on its way (queued and meant to be
   * sent by a connector). Messages go out in the order they were made: (created_at, id), a strict order, so two
   * messages can never wait for each other. A failed message does not hold later ones back.
   */
  async earlierMessagePending(m: { id: string; appeal_id: string; channel: string }): Promise<boolean> {
    const row = await this.one<{ pending: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM outbound_messages e, outbound_messages m
          WHERE m.id = $1 AND e.appeal_id = $2 AND e.channel = $3 AND e.id <> m.id AND e.status = 'queued'
            AND e.delivery_state IS DISTINCT FROM 'awaiting-handover'
            AND (e.created_at, e.id) < (m.created_at, m.id)) AS pending`,
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

  async countMessageAttempt(id: string): Promise<void> {
    await this.rows(`UPDATE outbound_messages SET attempts = attempts + 1 WHERE id = $1`, [id]);
  }

  /** The receipt and the `delivered` event, together. */
  async markMessageSent(
    m: { id: string; appeal_id: string; kind: string },
    receipt: DeliveryReceipt,
    connectorKind: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.rows(
        `UPDATE outbound_messages SET status = 'sent', remote_id = $2, sent_at = $3, last_error = NULL WHERE id = $1`,
        [m.id, receipt.remoteId ?? null, receipt.sentAt],
        tx,
      );
      await this.rows(
        `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'delivered', $2)`,
        [
          m.appeal_id,
          {
            outboundMessageId: m.id,
            kind: m.kind,
            channel: connectorKind,
            remoteId: receipt.remoteId ?? null,
          },
        ],
        tx,
      );
    });
  }

  async recordMessageError(id: string, reason: string): Promise<void> {
    await this.rows(`UPDATE outbound_messages SET last_error = $2 WHERE id = $1`, [id, reason]);
  }

  /** Failed for good, unless already sent; the `delivery-failed` event with it. False when nothing changed. */
  /**
   * Failed, with the `delivery-failed` event. `retry` (a temporary failure): tried again by itself after
   * `firstMs` doubled per round already made, unless `rounds` rounds have been made.
   */
  markMessageFailed(
    m: { id: string; appeal_id: string },
    reason: string,
    retry?: { firstMs: number; rounds: number },
  ): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const updated = await this.rows(
        `UPDATE outbound_messages SET status = 'failed', last_error = $2,
                retry_at = CASE WHEN $3::float8 IS NOT NULL AND retry_rounds < $4::int
                                THEN now() + make_interval(secs => $3::float8 * 2 ^ retry_rounds / 1000) END
          WHERE id = $1 AND status <> 'sent' RETURNING id`,
        [m.id, reason, retry?.firstMs ?? null, retry?.rounds ?? 0],
        tx,
      );
      if (updated.length === 0) return false;
      await this.rows(
        `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'delivery-failed', $2)`,
        [m.appeal_id, { outboundMessageId: m.id, reason }],
        tx,
      );
      return true;
    });
  }

  botReply(id: string): Promise<BotReplyRow | undefined> {
    return this.one<BotReplyRow>(
      `SELECT id, channel, account_id, status, reply_address, text, choices FROM bot_replies WHERE id = $1`,
      [id],
    );
  }

  async countBotReplyAttempt(id: string): Promise<void> {
    await this.rows(`UPDATE bot_replies SET attempts = attempts + 1 WHERE id = $1`, [id]);
  }

  async recordBotReplyError(id: string, reason: string): Promise<void> {
    await this.rows(`UPDATE bot_replies SET last_error = $2 WHERE id = $1`, [id, reason]);
  }

  async markBotReplySent(id: string, receipt: DeliveryReceipt): Promise<void> {
    await this.rows(
      `UPDATE bot_replies SET status = 'sent', remote_id = $2, sent_at = $3, last_error = NULL WHERE id = $1`,
      [id, receipt.remoteId ?? null, receipt.sentAt],
    );
  }

  async markBotReplyFailed(id: string, reason: string): Promise<void> {
    await this.rows(
      `UPDATE bot_replies SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent'`,
      [id, reason],
    );
  }

  /** Failed messages whose next round is due, back to queued (the round counted); their ids and round. */
  requeueDueRetries(limit = 500): Promise<{ id: string; round: number }[]> {
    return this.rows(
      `UPDATE outbound_messages m SET status = 'queued', retry_at = NULL, retry_rounds = m.retry_rounds + 1
         FROM (SELECT id FROM outbound_messages WHERE status = 'failed' AND retry_at <= now()
                ORDER BY retry_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE m.id = due.id
        RETURNING m.id, m.retry_rounds AS round`,
      [limit],
    );
  }

  /**
   * Messages and bot replies still queued a minute after they were made: their job was lost. `round`: the
   * automatic round a message is in (its job id).
   */
  stranded(): Promise<{ id: string; what: 'message' | 'bot-reply'; round: number }[]> {
    return this.rows(
      `(SELECT id, 'message' AS what, retry_rounds AS round FROM outbound_messages
         WHERE status = 'queued' AND delivery_state IS DISTINCT FROM 'awaiting-handover'
           AND created_at < now() - interval '1 minute' ORDER BY created_at LIMIT 1000)
       UNION ALL
       (SELECT id, 'bot-reply', 0 FROM bot_replies
         WHERE status = 'queued' AND created_at < now() - interval '1 minute' ORDER BY created_at LIMIT 1000)`,
    );
  }
}
